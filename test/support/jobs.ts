import { randomBytes, randomUUID } from 'node:crypto';
import { approve, submit, type NewJob } from '../../services/domain/transitions.js';
import type { ImportJob } from '../../services/domain/job.js';

/** A realistic 4K hash: about 4,000 base64 characters of random bytes. */
export function fakeHardwareHash(bytes = 3000): string {
  return randomBytes(bytes).toString('base64');
}

export function newJobInput(overrides: Partial<NewJob> = {}): NewJob {
  return {
    id: randomUUID(),
    device: { serialNumber: `SN-${randomUUID().slice(0, 8)}`, manufacturer: 'Contoso', model: 'Laptop 7' },
    hardwareHash: fakeHardwareHash(),
    submittedBy: { channel: 'api', via: 'deploy-tool', requestedBy: 'ada@contoso.example' },
    ...overrides,
  };
}

export const DAY_MS = 24 * 60 * 60 * 1000;

export function submittedJob(
  now = new Date('2026-11-01T10:00:00Z'),
  overrides: Partial<NewJob> = {},
): ImportJob {
  return submit(newJobInput(overrides), now, 3 * DAY_MS);
}

/** A job approved by Alice (tag Sales, ticket INC-1) at `at`, for the serial given or a random one. */
export function approvedJob(at = new Date('2026-11-01T10:00:00Z'), serialNumber?: string): ImportJob {
  const job = submittedJob(
    at,
    serialNumber ? { device: { serialNumber, manufacturer: 'Contoso', model: 'M1' } } : {},
  );
  const result = approve(job, {
    by: { id: 'aad-1', name: 'Alice' },
    at,
    groupTag: 'Sales',
    comment: 'INC-1',
  });
  if (!result.ok) throw result.error;
  return result.value;
}
