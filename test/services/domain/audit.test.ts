import { describe, expect, it } from 'vitest';
import { withAudit } from '../../../services/domain/audit.js';
import { deniedAttempt } from '../../../services/domain/transitions.js';
import { submittedJob } from '../../support/jobs.js';

describe('withAudit', () => {
  it('keeps a refusal repeated by one person for one verb as one entry with a count', () => {
    const mallory = { id: 'aad-mallory', name: 'Mallory' };
    let job = submittedJob();
    const before = job.audit.length;
    for (let i = 0; i < 50; i++)
      job = withAudit(job, deniedAttempt(mallory, new Date(Date.UTC(2026, 11, 2, 6, 0, i)), 'approve'));
    job = withAudit(job, deniedAttempt(mallory, new Date(Date.UTC(2026, 11, 2, 7)), 'reject'));
    job = withAudit(job, deniedAttempt({ id: 'aad-eve', name: 'Eve' }, new Date(), 'approve'));
    expect(job.audit).toHaveLength(before + 3);
    expect(job.audit[before]).toMatchObject({
      action: 'denied',
      detail: 'approve',
      count: 50,
      at: '2026-12-02T06:00:49.000Z',
    });
    expect(job.audit[before + 1]).toMatchObject({ detail: 'reject' });
    expect(job.audit[before + 1]?.count).toBeUndefined();
  });
});
