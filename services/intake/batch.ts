/** A CSV batch: every row is checked on its own; the accepted ones become jobs of one batch. */
import { serialKey } from '../domain/serial-key.js';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ImportJob, JobFlag, RegisteredRecord } from '../domain/job.js';
import { decodeCsv, intuneRows, parseCsvRecords, type CsvRow } from './csv.js';
import { corporateRows, isCorporateCsv, type CorporateCsvRow } from './corporate-csv.js';
import { corporateIdentifierSchema } from './submission.js';
import { IntakeError } from './intake-error.js';
import type { DeviceRequest, IntakeService, Submitter } from './intake-service.js';
import { parseOrRefuse } from './parse.js';
import {
  displayName,
  groupTag,
  hardwareHash,
  productKey,
  serialNumber,
  userPrincipalName,
} from './text-rules.js';

const rowSchema = z.object({
  serialNumber,
  productKey,
  hardwareHash,
  groupTag,
  assignedUser: z.union([z.literal(''), userPrincipalName]),
});

/** Manufacturer and model are not in the Intune CSV; the client may name them for the whole file. */
export const batchDefaultsSchema = z
  .object({ manufacturer: displayName(128).default('Unknown'), model: displayName(128).default('Unknown') })
  .strict();

export type RowReport =
  | {
      line: number;
      serialNumber: string;
      result: 'accepted';
      jobId: string;
      status: string;
      existing: boolean;
    }
  | { line: number; serialNumber: string; result: 'refused'; field?: string; reason: string };

export interface BatchReport {
  batchId: string;
  accepted: number;
  refused: number;
  rows: RowReport[];
}

function refused(row: { line: number; serialNumber: string }, reason: string, field?: string): RowReport {
  return {
    line: row.line,
    serialNumber: row.serialNumber.slice(0, 64),
    result: 'refused',
    reason,
    ...(field ? { field } : {}),
  };
}

/** One line of a file: read, then parsed into the device intake takes (parse throws IntakeError). */
export interface BatchRow {
  line: number;
  serialNumber: string;
  problem?: string;
  parse(): DeviceRequest;
}

function intuneRow(row: CsvRow, defaults: z.infer<typeof batchDefaultsSchema>): BatchRow {
  return {
    line: row.line,
    serialNumber: row.serialNumber,
    ...(row.problem ? { problem: row.problem } : {}),
    parse() {
      const parsed = parseOrRefuse(rowSchema, row);
      return {
        serialNumber: parsed.serialNumber,
        hardwareHash: parsed.hardwareHash,
        manufacturer: defaults.manufacturer,
        model: defaults.model,
        ...(parsed.productKey ? { productKey: parsed.productKey } : {}),
        ...(parsed.assignedUser ? { assignedUser: parsed.assignedUser } : {}),
        ...(parsed.groupTag ? { requestedGroupTag: parsed.groupTag } : {}),
      };
    },
  };
}

function corporateRow(row: CorporateCsvRow): BatchRow {
  return {
    line: row.line,
    serialNumber: row.serialNumber,
    ...(row.problem ? { problem: row.problem } : {}),
    parse: () =>
      parseOrRefuse(corporateIdentifierSchema, {
        type: 'corporateIdentifier',
        manufacturer: row.manufacturer,
        model: row.model,
        serialNumber: row.serialNumber,
      }),
  };
}

/** The rows of the file: the Intune CSV (with its header), or Microsoft's corporate-identifier CSV (without). */
function batchRows(csv: Uint8Array, defaults: z.infer<typeof batchDefaultsSchema>): BatchRow[] {
  const records = parseCsvRecords(decodeCsv(csv));
  if (isCorporateCsv(records)) return corporateRows(records).map(corporateRow);
  return intuneRows(records).map((row) => intuneRow(row, defaults));
}

export async function submitBatch(
  intake: IntakeService,
  csv: Uint8Array,
  defaults: z.infer<typeof batchDefaultsSchema>,
  submitter: Submitter,
): Promise<BatchReport> {
  return storeBatch(intake, batchRows(csv, defaults), submitter, async (requests) => {
    const registered = await intake.registeredSerials(requests.map((r) => r.serialNumber));
    return new Map(requests.map((r) => [r.serialNumber, { registered: registered.get(r.serialNumber) }]));
  });
}

/** What the tenant says of a row's device before its job is made: its record, or why the row is refused. */
export type Vetted = { registered?: RegisteredRecord } | { refusal: string };

/**
 * Stores a file as one batch: each row parsed on its own (a bad row is refused, the rest go on), every device
 * vetted against the tenant in one go, then one job per accepted row (or the open job its device has already).
 */
export async function storeBatch(
  intake: IntakeService,
  rows: readonly BatchRow[],
  submitter: Submitter,
  vet: (requests: DeviceRequest[]) => Promise<Map<string, Vetted>>,
): Promise<BatchReport> {
  const seen = new Set<string>();
  const parsed: { row: BatchRow; request: DeviceRequest; flags: JobFlag[] }[] = [];
  const reports = new Map<number, RowReport>();
  for (const row of rows) {
    if (row.problem) {
      reports.set(row.line, refused(row, row.problem));
      continue;
    }
    try {
      const request = row.parse();
      if (seen.has(serialKey(request.serialNumber)))
        throw new IntakeError('invalid_field', 'serialNumber appears twice in this file.', 'serialNumber');
      seen.add(serialKey(request.serialNumber));
      // The allow-lists are about new devices; a change acts on a registered one.
      const flag = request.change ? undefined : intake.allowListFlag(request);
      parsed.push({ row, request, flags: flag ? [flag] : [] });
    } catch (error) {
      if (!(error instanceof IntakeError)) throw error;
      reports.set(row.line, refused(row, error.message, error.field));
    }
  }
  const vetted = parsed.length ? await vet(parsed.map((p) => p.request)) : new Map<string, Vetted>();
  const valid = parsed.flatMap((p) => {
    const verdict = vetted.get(p.request.serialNumber) ?? {};
    if ('refusal' in verdict) {
      reports.set(p.row.line, refused(p.row, verdict.refusal, 'serialNumber'));
      return [];
    }
    return [{ ...p, registered: verdict.registered }];
  });
  const batchId = randomUUID();
  const refusals = [...reports.values()].filter(
    (r): r is Extract<RowReport, { result: 'refused' }> => r.result === 'refused',
  );
  // The record comes first: the batch card is drawn from it as soon as the jobs are announced.
  if (valid.length > 0)
    await intake.saveBatch({
      id: batchId,
      createdAt: new Date().toISOString(),
      submittedBy: submitter,
      rows: rows.length,
      alreadyOpen: 0,
      refused: refusals.map(({ line, serialNumber, reason, field }) => ({
        line,
        serialNumber,
        reason,
        ...(field ? { field } : {}),
      })),
    });
  const createdJobs: ImportJob[] = [];
  for (const { row, request, flags, registered } of valid) {
    const { job, created } = await intake.create(request, submitter, {
      flags,
      registered,
      batchId,
      announce: false,
    });
    if (created) createdJobs.push(job);
    reports.set(row.line, {
      line: row.line,
      serialNumber: request.serialNumber,
      result: 'accepted',
      jobId: job.id,
      status: job.status,
      existing: !created,
    });
  }
  await intake.countAlreadyOpen(batchId, valid.length - createdJobs.length);
  intake.announce(createdJobs);
  const ordered = rows.map((r) => reports.get(r.line)).filter((r): r is RowReport => r !== undefined);
  return {
    batchId,
    accepted: ordered.filter((r) => r.result === 'accepted').length,
    refused: ordered.filter((r) => r.result === 'refused').length,
    rows: ordered,
  };
}
