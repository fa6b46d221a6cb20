/**
 * Microsoft's corporate-identifier CSV (Windows Autopilot device preparation): no header, one
 * `Manufacturer,Model,Serial` per line (Intune admin center, "Add corporate identifiers"; the reference sheet). The
 * portal takes up to 5,000 lines per file; a batch here takes as many as the Intune CSV (MAX_CSV_ROWS), so that one
 * card stays readable.
 */
import { MAX_CSV_ROWS, type parseCsvRecords } from './csv.js';
import { IntakeError } from './intake-error.js';

export interface CorporateCsvRow {
  line: number;
  manufacturer: string;
  model: string;
  serialNumber: string;
  problem?: string;
}

type CsvRecord = ReturnType<typeof parseCsvRecords>[number];

/** A file without the Intune header whose first line has three fields is a corporate-identifier file. */
export function isCorporateCsv(records: readonly CsvRecord[]): boolean {
  const first = records[0];
  return (
    first !== undefined && first.fields.length === 3 && first.fields[0]?.trim() !== 'Device Serial Number'
  );
}

export function corporateRows(records: readonly CsvRecord[]): CorporateCsvRow[] {
  if (records.length > MAX_CSV_ROWS)
    throw new IntakeError(
      'too_many_rows',
      `The file has ${records.length} lines; at most ${MAX_CSV_ROWS} are accepted per file.`,
      'file',
    );
  return records.map(({ line, fields }) => {
    const value = (i: number) => (fields[i] ?? '').trim();
    const row = { line, manufacturer: value(0), model: value(1), serialNumber: value(2) };
    return fields.length === 3
      ? row
      : { ...row, problem: `expected 3 fields (Manufacturer,Model,Serial), found ${fields.length}` };
  });
}
