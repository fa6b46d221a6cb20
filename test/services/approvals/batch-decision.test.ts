/**
 * "Approve all" answers at once and the jobs follow in the background; a batch decided but not applied (the
 * process died) is finished by the worker's housekeeping, before any of its jobs could expire.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StaticApproverDirectory } from '../../../services/approvals/approver-directory.js';
import { BatchApprovalService } from '../../../services/approvals/batch-approval-service.js';
import type { ApprovalConfig } from '../../../services/config/config.js';
import { decideBatch, type ImportBatch } from '../../../services/domain/batch.js';
import type { ImportJob } from '../../../services/domain/job.js';
import { Housekeeping } from '../../../services/pipeline/housekeeping.js';
import type { JobStore } from '../../../services/store/job-store.js';
import { SqliteJobStore } from '../../../services/store/sqlite/sqlite-job-store.js';
import { silentLogger } from '../../support/graph.js';
import { submittedJob } from '../../support/jobs.js';
import { RecordingPublisher } from '../../support/pipeline.js';

const alice = { id: 'aad-alice', name: 'Alice' };
const config: ApprovalConfig = {
  approverGroupIds: [],
  approverIds: [],
  groupTags: ['Kiosk'],
  allowNoTag: true,
  ticketMaxLength: 200,
};

let dir: string;
let store: SqliteJobStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aa-batch-decision-'));
  store = new SqliteJobStore(join(dir, 'jobs.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function batchOf(
  size: number,
  deadline = new Date(Date.now() + 86_400_000),
): Promise<{ batch: ImportBatch; jobs: ImportJob[] }> {
  const batch: ImportBatch = {
    id: randomUUID(),
    createdAt: new Date().toISOString(),
    submittedBy: { channel: 'batch', via: 'deploy' },
    rows: size,
    alreadyOpen: 0,
    refused: [],
  };
  await store.createBatch(batch);
  const jobs: ImportJob[] = [];
  for (let i = 0; i < size; i++) {
    const job = { ...submittedJob(new Date()), batchId: batch.id, approvalDeadline: deadline.toISOString() };
    await store.create(job);
    jobs.push(job);
  }
  return { batch, jobs };
}

const statuses = async (batchId: string) =>
  (await store.list({ batchId, limit: 1000 })).items.map((j) => j.status).sort();

/** A store whose job writes wait until `open` is called: the click's answer cannot have waited for them. */
function gatedStore(inner: JobStore): { store: JobStore; open(): void } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const store = new Proxy(inner, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (name === 'update' && typeof value === 'function')
        return async (...args: unknown[]) => {
          await gate;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store, open };
}

describe('a batch decision', () => {
  it('is recorded and answered before any job is approved, and reaches every job in the background', async () => {
    const { batch } = await batchOf(50);
    const gated = gatedStore(store);
    const publisher = new RecordingPublisher();
    const service = new BatchApprovalService({
      store: gated.store,
      directory: new StaticApproverDirectory([alice.id]),
      config,
      publisher,
      logger: silentLogger,
    });
    const result = await service.decide({
      batchId: batch.id,
      verb: 'approve',
      actor: alice,
      inputs: { groupTag: 'Kiosk', comment: 'INC1' },
    });
    expect(result).toMatchObject({
      kind: 'decided',
      changed: 50,
      batch: { decision: { verb: 'approve', by: alice } },
    });
    expect(await statuses(batch.id)).toEqual(Array(50).fill('awaiting_approval'));
    gated.open();
    await service.settled();
    expect(await statuses(batch.id)).toEqual(Array(50).fill('approved'));
    expect(publisher.events).toHaveLength(50);
  });

  it('left halfway by a process that died is finished by housekeeping, before its jobs could expire', async () => {
    const deadline = new Date(Date.now() - 1000);
    const { batch, jobs } = await batchOf(6, deadline);
    // Decided in time, a second before the deadline, which then passed while nobody applied the decision.
    const at = new Date(deadline.getTime() - 1000).toISOString();
    const decided = decideBatch(batch, {
      verb: 'approve',
      by: alice,
      at,
      groupTag: 'Kiosk',
      comment: 'INC2',
    });
    if (!decided.ok) throw decided.error;
    const stored = await store.getBatch(batch.id);
    await store.updateBatch(decided.value, stored?.etag ?? '');
    // A single request past its deadline, not in the batch, still expires.
    const lone = { ...submittedJob(new Date()), approvalDeadline: new Date(Date.now() - 1000).toISOString() };
    await store.create(lone);
    const publisher = new RecordingPublisher();
    await new Housekeeping({ store, publisher, logger: silentLogger }).run(new Date());
    expect(await statuses(batch.id)).toEqual(Array(jobs.length).fill('approved'));
    expect((await store.get(lone.id))?.job.status).toBe('expired');
  });
});
