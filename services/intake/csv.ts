/**
 * The Intune Autopilot CSV: header `Device Serial Number,Windows Product ID,Hardware Hash`, optionally followed by
 * `,Group Tag` and `,Assigned User`; UTF-8 (with or without BOM) or UTF-16 (the PowerShell collection script's
 * default); RFC 4180 quoting; at most 500 rows, as the Intune portal allows.
 */
import { IntakeError } from './intake-error.js';

export const CSV_COLUMNS = [
  'Device Serial Number',
  'Windows Product ID',
  'Hardware Hash',
  'Group Tag',
  'Assigned User',
] as const;
export const MAX_CSV_ROWS = 500;

export interface CsvRow {
  /** 1-based line of the row in the file (the header is line 1). */
  line: number;
  serialNumber: string;
  productKey: string;
  hardwareHash: string;
  groupTag: string;
  assignedUser: string;
  /** Set when the row cannot be read at all (wrong number of fields). */
  problem?: string;
}

function fatalDecode(encoding: 'utf-8' | 'utf-16le' | 'utf-16be', bytes: Uint8Array): string {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new IntakeError('invalid_csv', `The file is not valid ${encoding.toUpperCase()} text.`, 'file');
  }
}

/** Picks the encoding from the BOM, or recognises BOM-less UTF-16 LE by its zero high bytes. */
export function decodeCsv(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return fatalDecode('utf-8', bytes.subarray(3));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return fatalDecode('utf-16le', bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return fatalDecode('utf-16be', bytes.subarray(2));
  const sample = bytes.subarray(0, 200);
  const oddZeros = sample.filter((b, i) => i % 2 === 1 && b === 0).length;
  if (sample.length >= 4 && oddZeros >= sample.length / 4) return fatalDecode('utf-16le', bytes);
  return fatalDecode('utf-8', bytes);
}

/** RFC 4180 records with the line each starts on. Quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsvRecords(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      records.push({ line: recordLine, fields });
      fields = [];
      field = '';
      line++;
      recordLine = line;
    } else field += c;
  }
  if (quoted)
    throw new IntakeError(
      'invalid_csv',
      `A quoted field opened on line ${recordLine} is never closed.`,
      `line ${recordLine}`,
    );
  if (field !== '' || fields.length > 0) records.push({ line: recordLine, fields: [...fields, field] });
  // Blank lines carry nothing.
  return records.filter((r) => !(r.fields.length === 1 && r.fields[0]?.trim() === ''));
}

export function readIntuneCsv(bytes: Uint8Array): CsvRow[] {
  return intuneRows(parseCsvRecords(decodeCsv(bytes)));
}

/** The rows of an Intune CSV, its header checked (the records are consumed). */
export function intuneRows(records: { line: number; fields: string[] }[]): CsvRow[] {
  const header = records.shift();
  if (!header) throw new IntakeError('invalid_csv', 'The file is empty.', 'header');
  const names = header.fields.map((f) => f.trim());
  const expected = CSV_COLUMNS.slice(0, Math.max(3, Math.min(names.length, CSV_COLUMNS.length)));
  if (names.length > CSV_COLUMNS.length || names.some((n, i) => n !== expected[i])) {
    throw new IntakeError(
      'invalid_csv',
      `The header must be "${CSV_COLUMNS.slice(0, 3).join(',')}", optionally followed by ",Group Tag" and ",Assigned User"; found "${names.join(',').slice(0, 200)}".`,
      'header',
    );
  }
  if (records.length === 0)
    throw new IntakeError('invalid_csv', 'The file has a header but no devices.', 'file');
  if (records.length > MAX_CSV_ROWS)
    throw new IntakeError(
      'too_many_rows',
      `The file has ${records.length} rows; at most ${MAX_CSV_ROWS} are accepted per file.`,
      'file',
    );
  return records.map(({ line, fields }) => {
    const value = (i: number) => (fields[i] ?? '').trim();
    const row: CsvRow = {
      line,
      serialNumber: value(0),
      productKey: value(1),
      hardwareHash: value(2),
      groupTag: value(3),
      assignedUser: value(4),
    };
    return fields.length === names.length
      ? row
      : { ...row, problem: `expected ${names.length} fields, found ${fields.length}` };
  });
}
