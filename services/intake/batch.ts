/** A CSV batch: every row is checked on its own; the accepted ones become jobs of one batch. */
import { serialKey } from '../domain/serial-key.js';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ImportJob, JobFlag } from '../domain/job.js';
import { readIntuneCsv, type CsvRow } from './csv.js';
import { IntakeError } from './intake-error.js';
import type { IntakeService, Submitter } from './intake-service.js';
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

function refused(row: CsvRow, reason: string, field?: string): RowReport {
  return {
    line: row.line,
    serialNumber: row.serialNumber.slice(0, 64),
    result: 'refused',
    reason,
    ...(field ? { field } : {}),
  };
}

export async function submitBatch(
  intake: IntakeService,
  csv: Uint8Array,
  defaults: z.infer<typeof batchDefaultsSchema>,
  submitter: Submitter,
): Promise<BatchReport> {
  const rows = readIntuneCsv(csv);
  const seen = new Set<string>();
  const valid: { row: CsvRow; parsed: z.infer<typeof rowSchema>; flags: JobFlag[] }[] = [];
  const reports = new Map<number, RowReport>();
  for (const row of rows) {
    if (row.problem) {
      reports.set(row.line, refused(row, row.problem));
      continue;
    }
    try {
      const parsed = parseOrRefuse(rowSchema, row);
      if (seen.has(serialKey(parsed.serialNumber)))
        throw new IntakeError('invalid_field', 'serialNumber appears twice in this file.', 'serialNumber');
      seen.add(serialKey(parsed.serialNumber));
      const flag = intake.allowListFlag(defaults);
      valid.push({ row, parsed, flags: flag ? [flag] : [] });
    } catch (error) {
      if (!(error instanceof IntakeError)) throw error;
      reports.set(row.line, refused(row, error.message, error.field));
    }
  }
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
  const registered = await intake.registeredSerials(valid.map((v) => v.parsed.serialNumber));
  const createdJobs: ImportJob[] = [];
  for (const { row, parsed, flags } of valid) {
    const { job, created } = await intake.create(
      {
        serialNumber: parsed.serialNumber,
        hardwareHash: parsed.hardwareHash,
        manufacturer: defaults.manufacturer,
        model: defaults.model,
        ...(parsed.productKey ? { productKey: parsed.productKey } : {}),
        ...(parsed.assignedUser ? { assignedUser: parsed.assignedUser } : {}),
        ...(parsed.groupTag ? { requestedGroupTag: parsed.groupTag } : {}),
      },
      submitter,
      { flags, registered: registered.get(parsed.serialNumber), batchId, announce: false },
    );
    if (created) createdJobs.push(job);
    reports.set(row.line, {
      line: row.line,
      serialNumber: parsed.serialNumber,
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
