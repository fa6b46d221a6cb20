/** What a requester is told, and when: the pure part of the notices. */
import { describe, expect, it } from 'vitest';
import { notificationText, owesNotice } from '../../bot/personal-notices.js';
import { submittedJob } from '../support/jobs.js';

const ALICE = 'alice@contoso.example';

describe('what a requester is told', () => {
  const job = submittedJob();
  const forAlice = { ...job, submittedBy: { ...job.submittedBy, requestedBy: ALICE } };

  it('is the status line only, and only once a person has decided', () => {
    // Named by a submission, nobody is written to before an approver acts: not on submission, nor on expiry.
    expect(owesNotice(forAlice)).toBe(false);
    expect(owesNotice({ ...forAlice, status: 'expired' })).toBe(false);
    const rejected = {
      ...forAlice,
      status: 'rejected' as const,
      rejection: { by: { id: 'b', name: 'Bob' }, at: forAlice.createdAt, reason: 'Call me at +1 555 0100' },
    };
    expect(owesNotice(rejected)).toBe(true);
    expect(notificationText(rejected)).toBe(
      `Your Autopilot request for device ${job.device.serialNumber}: Rejected. Write "status ${job.device.serialNumber}" for the details.`,
    );
    // Not for a job nobody asked to be told about.
    expect(owesNotice({ ...rejected, submittedBy: { channel: 'api', via: 'lab' } })).toBe(false);
  });
});
