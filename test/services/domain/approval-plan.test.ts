/** Update it / Replace it as domain decisions: where they fit, what they pin, and the second approver's part. */
import { describe, expect, it } from 'vitest';
import { approve, submit, type NewJob } from '../../../services/domain/transitions.js';
import type { ImportJob } from '../../../services/domain/job.js';
import { fakeHardwareHash } from '../../support/jobs.js';

const now = new Date('2026-12-01T12:00:00Z');
const alice = { id: 'aad-alice', name: 'Alice' };
const bob = { id: 'aad-bob', name: 'Bob' };
const record = {
  id: 'ap-1',
  groupTag: 'Standard',
  displayName: '',
  user: '',
  enrollmentState: 'notContacted',
};

function job(overrides: Partial<NewJob> = {}): ImportJob {
  return submit(
    {
      id: 'job-1',
      device: { serialNumber: 'SN-1', manufacturer: 'C', model: 'M' },
      hardwareHash: fakeHardwareHash(),
      submittedBy: { channel: 'api', via: 'deploy' },
      registeredRecord: record,
      ...overrides,
    },
    now,
    86_400_000,
  );
}

const update = { kind: 'change' as const, change: { groupTag: 'Kiosk' } };
const replace = { kind: 'replace' as const, enrolledConfirmed: false };
const decide = (
  j: ImportJob,
  by = alice,
  plan?: typeof update | typeof replace,
  approversNeeded: 1 | 2 = 1,
) =>
  approve(j, { by, at: now, groupTag: 'Kiosk', comment: 'INC1', approversNeeded, ...(plan ? { plan } : {}) });

describe('approval plans for a device already registered', () => {
  it('turns the job into a change or a replace pinned to the record its card showed', () => {
    const updated = decide(job(), alice, update);
    expect(updated.ok && updated.value).toMatchObject({
      kind: 'change',
      change: { groupTag: 'Kiosk' },
      graph: { autopilotDeviceId: 'ap-1' },
      approval: { plan: 'update' },
      hardwareHash: null,
    });
    const replaced = decide(job(), alice, replace);
    expect(replaced.ok && replaced.value.steps.map((s) => s.name).slice(0, 6)).toEqual([
      'check-device',
      'delete-managed-device',
      'unassign-user',
      'delete-autopilot-record',
      'await-removal',
      'check-registration',
    ]);
  });

  it('refuses a plan where it does not fit: no record shown, a batch, a corporate identifier, a change', () => {
    for (const j of [
      submit(
        {
          id: 'job-2',
          device: { serialNumber: 'SN-2', manufacturer: 'C', model: 'M' },
          hardwareHash: fakeHardwareHash(),
          submittedBy: { channel: 'api', via: 'deploy' },
        },
        now,
        86_400_000,
      ),
      job({ batchId: 'batch-1' }),
      job({ kind: 'corporateIdentifier', hardwareHash: null }),
      job({ kind: 'change', change: { groupTag: 'Kiosk' }, hardwareHash: null }),
    ]) {
      const result = decide(j, alice, replace);
      expect(result.ok ? 'applied' : result.error.code).toBe('plan_not_applicable');
    }
  });

  it('asks for the confirmation to replace an enrolled device', () => {
    const enrolled = job({
      registeredRecord: { ...record, managedDeviceId: 'md-1', enrollmentState: 'enrolled' },
    });
    const refused = decide(enrolled, alice, replace);
    expect(refused.ok ? 'applied' : refused.error.code).toBe('confirm_enrolled');
    const confirmed = decide(enrolled, alice, { kind: 'replace', enrolledConfirmed: true });
    expect(confirmed.ok && confirmed.value.enrolledConfirmed).toBe(true);
  });

  it("holds the second of two approvers to the first one's choice of Update it or Replace it", () => {
    const first = decide(job(), alice, update, 2);
    if (!first.ok) throw first.error;
    expect(first.value).toMatchObject({ status: 'awaiting_approval', firstApproval: { plan: 'update' } });
    const other = decide(first.value, bob, replace, 2);
    expect(other.ok ? 'applied' : other.error.message).toBe(
      'Alice chose Update it: choose the same, or reject.',
    );
    const same = decide(first.value, bob, update, 2);
    expect(same.ok && same.value).toMatchObject({ status: 'approved', kind: 'change' });
  });
});
