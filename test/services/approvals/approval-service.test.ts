import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApprovalService } from '../../../services/approvals/approval-service.js';
import { StaticApproverDirectory } from '../../../services/approvals/approver-directory.js';
import { NO_TAG } from '../../../services/approvals/decision-inputs.js';
import type { ApprovalConfig } from '../../../services/config/config.js';
import { failStep, startStep } from '../../../services/domain/step-transitions.js';
import { SqliteJobStore } from '../../../services/store/sqlite/sqlite-job-store.js';
import { silentLogger } from '../../support/graph.js';
import { submittedJob } from '../../support/jobs.js';
import { RecordingPublisher } from '../../support/pipeline.js';

const alice = { id: 'aad-alice', name: 'Alice' };
const mallory = { id: 'aad-mallory', name: 'Mallory' };
const config: ApprovalConfig = {
  approverGroupIds: [],
  approverIds: [],
  groupTags: ['Standard', 'Kiosk'],
  allowNoTag: true,
  ticketMaxLength: 40,
  ticketPattern: { regex: /^(INC|REQ)\d{4}\b/, message: 'Start with the ticket number, e.g. INC1234.' },
};
const approvers = Array.from({ length: 20 }, (_, i) => ({ id: `aad-approver-${i}`, name: `Approver ${i}` }));

let dir: string;
let store: SqliteJobStore;
let publisher: RecordingPublisher;
let service: ApprovalService;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aa-approvals-'));
  store = new SqliteJobStore(join(dir, 'jobs.db'));
  publisher = new RecordingPublisher();
  const directory = new StaticApproverDirectory([alice.id, ...approvers.map((a) => a.id)]);
  service = new ApprovalService({ store, directory, config, publisher, logger: silentLogger });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function newJob() {
  const job = submittedJob(new Date());
  await store.create(job);
  return job;
}

describe('ApprovalService', () => {
  it('approves with the chosen tag and ticket, and publishes the change', async () => {
    const job = await newJob();
    const result = await service.decide({
      jobId: job.id,
      verb: 'approve',
      actor: alice,
      inputs: { groupTag: 'Kiosk', comment: 'INC1234 new board' },
    });
    expect(result).toMatchObject({
      kind: 'decided',
      job: { status: 'approved', approval: { by: alice, groupTag: 'Kiosk', comment: 'INC1234 new board' } },
    });
    expect(publisher.events.map((e) => e.status)).toEqual(['approved']);
  });

  it('accepts "no tag" when allowed', async () => {
    const job = await newJob();
    const result = await service.decide({
      jobId: job.id,
      verb: 'approve',
      actor: alice,
      inputs: { groupTag: NO_TAG, comment: 'REQ0001' },
    });
    expect(result.kind === 'decided' && result.job.approval?.groupTag).toBeNull();
  });

  it.each([
    [{ groupTag: 'Other', comment: 'INC1234' }, 'groupTag', /not one of the configured group tags/],
    [{ groupTag: 'Kiosk', comment: '' }, 'comment', /Enter the ticket/],
    [{ groupTag: 'Kiosk', comment: 'no ticket here' }, 'comment', /Start with the ticket number/],
    [{ groupTag: 'Kiosk', comment: `INC1234 ${'x'.repeat(40)}` }, 'comment', /Keep it to 40 characters/],
    [{ groupTag: 'Kiosk', comment: 'INC1234 \u202Egnp.exe' }, 'comment', /control or formatting/],
  ])('reports invalid inputs %o beside the input, changing nothing', async (inputs, input, message) => {
    const job = await newJob();
    const result = await service.decide({ jobId: job.id, verb: 'approve', actor: alice, inputs });
    expect(result.kind).toBe('invalid');
    expect(result.kind === 'invalid' && result.problems).toEqual([
      { input, message: expect.stringMatching(message) },
    ]);
    expect((await store.get(job.id))?.job.status).toBe('awaiting_approval');
    expect(publisher.events).toEqual([]);
  });

  it('rejects only with a reason', async () => {
    const job = await newJob();
    expect((await service.decide({ jobId: job.id, verb: 'reject', actor: alice, inputs: {} })).kind).toBe(
      'invalid',
    );
    const result = await service.decide({
      jobId: job.id,
      verb: 'reject',
      actor: alice,
      inputs: { reason: 'Not a company device' },
    });
    expect(result).toMatchObject({
      kind: 'decided',
      job: { status: 'rejected', rejection: { reason: 'Not a company device' }, hardwareHash: null },
    });
  });

  it('refuses a non-approver on every verb, changing nothing but the audit trail', async () => {
    const job = await newJob();
    for (const verb of ['approve', 'reject', 'retry'] as const) {
      const result = await service.decide({
        jobId: job.id,
        verb,
        actor: mallory,
        inputs: { groupTag: 'Kiosk', comment: 'INC1234', reason: 'x' },
      });
      expect(result).toMatchObject({
        kind: 'denied',
        message: expect.stringMatching(/Only helpdesk approvers/),
      });
    }
    const after = (await store.get(job.id))?.job;
    expect(after?.status).toBe('awaiting_approval');
    expect(after?.audit.filter((a) => a.action === 'denied').map((a) => [a.by.id, a.detail])).toEqual([
      ['aad-mallory', 'approve'],
      ['aad-mallory', 'reject'],
      ['aad-mallory', 'retry'],
    ]);
    expect(publisher.events).toEqual([]);
  });

  it('lets exactly one of 20 racing approvers decide; the others are told who did', async () => {
    const job = await newJob();
    const results = await Promise.all(
      approvers.map((actor, i) =>
        service.decide(
          i % 2
            ? {
                jobId: job.id,
                verb: 'approve',
                actor,
                inputs: { groupTag: 'Standard', comment: `INC000${i % 10}` },
              }
            : { jobId: job.id, verb: 'reject', actor, inputs: { reason: 'Duplicate' } },
        ),
      ),
    );
    const decided = results.filter((r) => r.kind === 'decided');
    expect(decided).toHaveLength(1);
    const winner = decided[0]?.kind === 'decided' ? decided[0].job : undefined;
    const name = winner?.approval?.by.name ?? winner?.rejection?.by.name;
    for (const r of results.filter((x) => x.kind !== 'decided')) {
      expect(r).toMatchObject({
        kind: 'refused',
        message: expect.stringContaining(`Already decided by ${name}`),
      });
    }
    expect(
      (await store.get(job.id))?.job.audit.filter((a) => a.action === 'approved' || a.action === 'rejected'),
    ).toHaveLength(1);
  });

  it('retries a job that failed with a retryable error, and refuses a retry of anything else', async () => {
    const job = await newJob();
    await service.decide({
      jobId: job.id,
      verb: 'approve',
      actor: alice,
      inputs: { groupTag: 'Kiosk', comment: 'INC1234' },
    });
    const stored = await store.get(job.id);
    const started = startStep(stored!.job, 'check-registration', new Date());
    if (!started.ok) throw started.error;
    const failed = failStep(started.value, 'check-registration', new Date(), {
      step: 'check-registration',
      code: 'HTTP503',
      name: 'ServiceUnavailable',
      advice: 'later',
      retryable: true,
    });
    if (!failed.ok) throw failed.error;
    await store.update(failed.value, stored!.etag);
    expect(await service.decide({ jobId: job.id, verb: 'retry', actor: alice, inputs: {} })).toMatchObject({
      kind: 'decided',
      job: { status: 'approved' },
    });
    expect(await service.decide({ jobId: job.id, verb: 'retry', actor: alice, inputs: {} })).toMatchObject({
      kind: 'refused',
      message: expect.stringMatching(/Only a failed job/),
    });
  });

  it('does not retry a failed job while a newer request for the same device is open', async () => {
    const job = await newJob();
    const stored = (await store.get(job.id))!;
    await store.update(
      {
        ...stored.job,
        status: 'failed',
        error: {
          step: 'import',
          code: 'HTTP503',
          name: 'ServiceUnavailable',
          advice: 'later',
          retryable: true,
        },
      },
      stored.etag,
    );
    const newer = submittedJob(new Date(), { device: { ...job.device } });
    expect((await store.create(newer)).created).toBe(true);
    expect(await service.decide({ jobId: job.id, verb: 'retry', actor: alice, inputs: {} })).toMatchObject({
      kind: 'refused',
      message: expect.stringContaining(newer.id),
    });
    expect((await store.get(job.id))?.job.status).toBe('failed');
  });

  it('says so for an unknown job', async () => {
    expect(await service.decide({ jobId: 'nope', verb: 'approve', actor: alice, inputs: {} })).toEqual({
      kind: 'not_found',
    });
  });
});
