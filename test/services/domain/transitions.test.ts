import { describe, expect, it } from 'vitest';
import { approve, expire, recordDenied, reject } from '../../../services/domain/transitions.js';
import {
  completeAlreadyRegistered,
  failStep,
  finishStep,
  postponeStep,
  retry,
  startStep,
} from '../../../services/domain/step-transitions.js';
import {
  currentStep,
  REGISTRATION_STEPS,
  type ImportJob,
  type JobError,
} from '../../../services/domain/job.js';
import { hashFingerprint } from '../../../services/domain/fingerprint.js';
import type { Result } from '../../../services/domain/result.js';
import { submittedJob } from '../../support/jobs.js';

const t0 = new Date('2026-11-01T10:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const alice = { id: 'aad-alice', name: 'Alice' };
const bob = { id: 'aad-bob', name: 'Bob' };

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function approved(job = submittedJob(t0)): ImportJob {
  return value(approve(job, { by: alice, at: at(1), groupTag: 'Sales', comment: 'INC-1' }));
}

function runThroughAllSteps(job: ImportJob): ImportJob {
  let j = job;
  for (const [i, name] of REGISTRATION_STEPS.entries()) {
    j = value(startStep(j, name, at(10 + i)));
    j = value(finishStep(j, name, at(10 + i)));
  }
  return j;
}

const storageError: JobError = {
  step: 'await-import',
  code: 'StorageError',
  name: 'StorageError',
  advice: 'A transient service error; it will be retried.',
  retryable: true,
};
const otherTenant: JobError = {
  step: 'await-import',
  code: '808',
  name: 'ZtdDeviceAssignedToOtherTenant',
  advice: 'The previous owner or Microsoft support must release it.',
  retryable: false,
};

describe('submit', () => {
  it('creates a job awaiting approval with every step pending, a deadline and an audit entry', () => {
    const job = submittedJob(t0);
    expect(job.status).toBe('awaiting_approval');
    expect(job.steps.map((s) => s.name)).toEqual([...REGISTRATION_STEPS]);
    expect(job.steps.every((s) => s.state === 'pending' && s.attempts === 0)).toBe(true);
    expect(job.approvalDeadline).toBe('2026-11-04T10:00:00.000Z');
    expect(job.audit).toEqual([
      { at: t0.toISOString(), action: 'submitted', by: { id: 'deploy-tool' }, detail: 'api' },
    ]);
    expect(job.hashFingerprint).toBe(hashFingerprint(job.hardwareHash ?? ''));
  });
});

describe('approve and reject', () => {
  it('approves once, records who, when, tag and comment, and makes the job due at once', () => {
    const job = approved();
    expect(job.status).toBe('approved');
    expect(job.approval).toEqual({ by: alice, at: at(1).toISOString(), groupTag: 'Sales', comment: 'INC-1' });
    expect(job.nextRunAt).toBe(at(1).toISOString());
    expect(job.audit.at(-1)).toMatchObject({ action: 'approved', by: alice, detail: 'Sales' });
  });

  it('refuses a second decision and names who decided first', () => {
    const job = approved();
    const second = approve(job, { by: bob, at: at(2), groupTag: null, comment: 'x' });
    expect(second.ok).toBe(false);
    if (!second.ok) {
      expect(second.error.code).toBe('already_decided');
      expect(second.error.message).toContain('Alice');
    }
    const rejection = reject(job, { by: bob, at: at(2), reason: 'no' });
    expect(rejection.ok || rejection.error.code).toBe('already_decided');
  });

  it('refuses to approve after the deadline', () => {
    const late = approve(submittedJob(t0), { by: alice, at: at(3 * 24 * 60), groupTag: null, comment: 'x' });
    expect(late.ok || late.error.code).toBe('approval_expired');
  });

  it('rejects with a reason and the hash is erased', () => {
    const job = value(reject(submittedJob(t0), { by: bob, at: at(5), reason: 'Not our device' }));
    expect(job.status).toBe('rejected');
    expect(job.rejection).toEqual({ by: bob, at: at(5).toISOString(), reason: 'Not our device' });
    expect(job.hardwareHash).toBeNull();
    expect(job.audit.at(-1)).toMatchObject({ action: 'rejected', detail: 'Not our device' });
  });
});

describe('expire', () => {
  it('expires a job awaiting approval once its deadline passed, and erases the hash', () => {
    const job = value(expire(submittedJob(t0), at(3 * 24 * 60)));
    expect(job.status).toBe('expired');
    expect(job.hardwareHash).toBeNull();
  });

  it('does not expire before the deadline or after a decision', () => {
    const early = expire(submittedJob(t0), at(60));
    expect(early.ok || early.error.code).toBe('not_yet_due');
    const decided = expire(approved(), at(3 * 24 * 60));
    expect(decided.ok || decided.error.code).toBe('not_awaiting_approval');
    const onceMore = approve(value(expire(submittedJob(t0), at(5000))), {
      by: alice,
      at: at(5001),
      groupTag: null,
      comment: 'x',
    });
    expect(onceMore.ok || onceMore.error.code).toBe('approval_expired');
  });
});

describe('steps', () => {
  it('runs the steps in order and completes with outcome imported', () => {
    const job = runThroughAllSteps(approved());
    expect(job.status).toBe('completed');
    expect(job.outcome).toBe('imported');
    expect(job.steps.every((s) => s.state === 'succeeded' && s.attempts === 1 && s.endedAt)).toBe(true);
    expect(job.nextRunAt).toBeUndefined();
    expect(job.audit.at(-1)).toMatchObject({ action: 'completed', detail: 'imported' });
  });

  it('refuses a step out of order and any step on an unapproved or finished job', () => {
    const job = approved();
    const skipAhead = startStep(job, 'import', at(2));
    expect(skipAhead.ok || skipAhead.error.code).toBe('step_out_of_order');
    const unapproved = startStep(submittedJob(t0), 'check-registration', at(2));
    expect(unapproved.ok || unapproved.error.code).toBe('not_running');
    const finished = startStep(runThroughAllSteps(approved()), 'await-profile', at(99));
    expect(finished.ok || finished.error.code).toBe('job_finished');
  });

  it('keeps the hash until the import is confirmed, then erases it', () => {
    let job = approved();
    for (const name of ['check-registration', 'import'] as const) {
      job = value(finishStep(value(startStep(job, name, at(2))), name, at(3)));
    }
    expect(job.hardwareHash).not.toBeNull();
    job = value(startStep(job, 'await-import', at(4)));
    job = value(postponeStep(job, 'await-import', at(4), at(5), { importedIdentityId: 'imp-1' }));
    expect(job.hardwareHash).not.toBeNull();
    expect(job.nextRunAt).toBe(at(5).toISOString());
    expect(job.graph.importedIdentityId).toBe('imp-1');
    job = value(finishStep(job, 'await-import', at(6)));
    expect(job.hardwareHash).toBeNull();
  });

  it('skips a step and records a note', () => {
    let job = approved();
    job = value(
      finishStep(value(startStep(job, 'check-registration', at(2))), 'check-registration', at(2), {
        skipped: true,
        note: 'n/a',
      }),
    );
    expect(job.steps[0]).toMatchObject({ state: 'skipped', note: 'n/a' });
    expect(currentStep(job)?.name).toBe('import');
  });

  it('completes as already registered, with the existing tag, skipping the rest', () => {
    const started = value(startStep(approved(), 'check-registration', at(2)));
    const job = value(
      completeAlreadyRegistered(started, 'check-registration', at(3), {
        autopilotDeviceId: 'ap-1',
        existingGroupTag: 'Lab',
      }),
    );
    expect(job.status).toBe('completed');
    expect(job.outcome).toBe('already_registered');
    expect(job.steps[0]?.note).toContain('Lab');
    expect(job.steps.slice(1).every((s) => s.state === 'skipped')).toBe(true);
    expect(job.hardwareHash).toBeNull();
  });
});

describe('failures and retry', () => {
  function atAwaitImport(): ImportJob {
    let job = approved();
    for (const name of ['check-registration', 'import'] as const) {
      job = value(finishStep(value(startStep(job, name, at(2))), name, at(3)));
    }
    return value(startStep(job, 'await-import', at(4)));
  }

  it('schedules an automatic retry for a retryable error and keeps the hash', () => {
    const job = value(failStep(atAwaitImport(), 'await-import', at(5), storageError, { at: at(7) }));
    expect(job.status).toBe('running');
    expect(job.steps[2]).toMatchObject({ state: 'pending', attempts: 1 });
    expect(job.nextRunAt).toBe(at(7).toISOString());
    expect(job.hardwareHash).not.toBeNull();
  });

  it('restarts from an earlier step when asked, reopening every step in between', () => {
    const job = value(
      failStep(atAwaitImport(), 'await-import', at(5), storageError, { at: at(7), from: 'import' }),
    );
    expect(job.steps.slice(1, 3).map((s) => [s.name, s.state, s.endedAt])).toEqual([
      ['import', 'pending', undefined],
      ['await-import', 'pending', undefined],
    ]);
    expect(currentStep(job)?.name).toBe('import');
  });

  it('completes as already registered from a later step (806 at await-import)', () => {
    const job = value(
      completeAlreadyRegistered(atAwaitImport(), 'await-import', at(6), { autopilotDeviceId: 'ap-9' }),
    );
    expect(job.outcome).toBe('already_registered');
    expect(job.steps.map((s) => s.state)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      ...Array(7).fill('skipped'),
    ]);
  });

  it('fails permanently with code, name and advice, and erases the hash', () => {
    const job = value(failStep(atAwaitImport(), 'await-import', at(5), otherTenant));
    expect(job.status).toBe('failed');
    expect(job.error).toEqual(otherTenant);
    expect(job.steps[2]?.state).toBe('failed');
    expect(job.hardwareHash).toBeNull();
    expect(job.audit.at(-1)).toMatchObject({
      action: 'failed',
      detail: '808 ZtdDeviceAssignedToOtherTenant',
    });
    const again = retry(job, alice, at(9));
    expect(again.ok || again.error.code).toBe('not_retryable');
  });

  it('lets an approver retry a job that failed with a retryable error', () => {
    const failed = value(failStep(atAwaitImport(), 'await-import', at(5), storageError));
    expect(failed.hardwareHash).not.toBeNull();
    const job = value(retry(failed, bob, at(9)));
    expect(job.status).toBe('approved');
    expect(job.error).toBeUndefined();
    expect(currentStep(job)).toMatchObject({ name: 'await-import', state: 'pending', attempts: 0 });
    expect(job.audit.at(-1)).toMatchObject({ action: 'retried', by: bob });
  });

  it('restarts an approver retry where the error says, e.g. the upload after a StorageError', () => {
    const failed = value(
      failStep(atAwaitImport(), 'await-import', at(5), { ...storageError, restartFrom: 'import' }),
    );
    const job = value(retry(failed, bob, at(9)));
    expect(job.steps.slice(1, 3).map((s) => [s.name, s.state, s.attempts])).toEqual([
      ['import', 'pending', 0],
      ['await-import', 'pending', 0],
    ]);
  });

  it('audits a denied attempt without changing anything else', () => {
    const job = submittedJob(t0);
    const denied = recordDenied(job, bob, at(1), 'approve');
    expect({ ...denied, audit: job.audit, updatedAt: job.updatedAt }).toEqual(job);
    expect(denied.audit.at(-1)).toMatchObject({ action: 'denied', by: bob, detail: 'approve' });
  });
});

describe('hashFingerprint', () => {
  it('is stable, short and does not reveal the hash', () => {
    const hash = Buffer.from('hello hardware').toString('base64');
    expect(hashFingerprint(hash)).toBe(hashFingerprint(hash));
    expect(hashFingerprint(hash)).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(hashFingerprint(hash)).not.toContain(hash);
  });
});
