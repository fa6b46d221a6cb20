/**
 * Bulk re-tag: a file of serial numbers and the new group tag for all of them (`POST /api/changes/batch`). Each
 * serial must be registered with exactly one Autopilot record; each becomes a change job of one batch, with one
 * card for Approve all / Reject all and per-device progress. Nothing changes until an approver says so.
 */
import { z } from 'zod';
import { checkGroupTag } from '../approvals/decision-inputs.js';
import type { ApprovalConfig } from '../config/config.js';
import type { DeviceChange } from '../domain/job.js';
import { describeError } from '../errors.js';
import { storeBatch, type BatchReport, type BatchRow, type Vetted } from './batch.js';
import { decodeCsv, MAX_CSV_ROWS, parseCsvRecords } from './csv.js';
import { IntakeError } from './intake-error.js';
import type { IntakeService, Submitter } from './intake-service.js';
import { parseOrRefuse } from './parse.js';
import { serialNumber } from './text-rules.js';

export const changeBatchQuerySchema = z.object({ groupTag: z.string().max(200) }).strict();

const HEADERS = new Set(['device serial number', 'serial number', 'serialnumber']);
const serialRow = z.object({ serialNumber });

/** One serial per line, in the first column (so the Intune CSV works too); a header line is skipped. */
function serialRows(csv: Uint8Array, change: DeviceChange): BatchRow[] {
  const records = parseCsvRecords(decodeCsv(csv));
  if (records[0] && HEADERS.has((records[0].fields[0] ?? '').trim().toLowerCase())) records.shift();
  if (records.length === 0) throw new IntakeError('invalid_csv', 'The file lists no serial numbers.', 'file');
  if (records.length > MAX_CSV_ROWS)
    throw new IntakeError(
      'too_many_rows',
      `The file has ${records.length} serial numbers; at most ${MAX_CSV_ROWS} are accepted per file.`,
      'file',
    );
  return records.map(({ line, fields }) => {
    const raw = (fields[0] ?? '').trim();
    return {
      line,
      serialNumber: raw.slice(0, 64),
      parse: () => {
        const serial = parseOrRefuse(serialRow, { serialNumber: raw }).serialNumber;
        // Make and model come from the record, once vetted; the allow-lists are about new devices.
        return { serialNumber: serial, manufacturer: '', model: '', change };
      },
    };
  });
}

export async function submitChangeBatch(
  intake: IntakeService,
  csv: Uint8Array,
  query: z.infer<typeof changeBatchQuerySchema>,
  submitter: Submitter,
  config: ApprovalConfig,
): Promise<BatchReport> {
  const { groupTag, problem } = checkGroupTag(query.groupTag, config);
  if (problem) throw new IntakeError('invalid_field', `query.groupTag: ${problem.message}`, 'query.groupTag');
  const rows = serialRows(csv, { groupTag });
  return storeBatch(intake, rows, submitter, async (requests) => {
    let found;
    try {
      found = await intake.lookupRecords(requests.map((r) => r.serialNumber));
    } catch (error) {
      throw new IntakeError(
        'graph_unavailable',
        `Intune could not be read, so nothing was stored: ${describeError(error).message}`.slice(0, 300),
        'file',
      );
    }
    const verdicts = new Map<string, Vetted>();
    for (const request of requests) {
      const records = found.get(request.serialNumber) ?? [];
      const record = records[0];
      if (records.length === 1 && record) {
        verdicts.set(request.serialNumber, { registered: record });
        continue;
      }
      verdicts.set(request.serialNumber, {
        refusal:
          records.length === 0
            ? 'not registered in Autopilot'
            : `${records.length} Autopilot records share this serial number; change them one by one (lookup)`,
      });
    }
    return verdicts;
  });
}
