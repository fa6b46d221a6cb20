/**
 * Generated jobs for report tests and the report benchmark: every status and outcome, several tags, sources,
 * models, failures and approvers, created over `days` days, from a seeded generator so that a run repeats.
 */
import type { ImportJob, JobStatus } from '../../services/domain/job.js';
import { approve, expire, reject, submit } from '../../services/domain/transitions.js';

/** A small deterministic generator (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TAGS = ['Sales', 'Lab', 'Kiosk', null] as const;
const SOURCES = ['deploy-tool', 'lab-key', 'cli-key', 'teams'] as const;
const MODELS = [
  ['Dell Inc.', 'Latitude 7440'],
  ['LENOVO', '21HD'],
  ['Microsoft Corporation', 'Surface Laptop 6'],
  ['HP', 'EliteBook 840 G10'],
] as const;
const FAILURES = [
  ['806', 'ZtdDeviceAlreadyAssigned'],
  ['808', 'ZtdDeviceAssignedToOtherTenant'],
  ['timeout', 'Timed out waiting for the Autopilot device'],
] as const;
const PEOPLE = [
  { id: 'aad-alex', name: 'Alex Wilber' },
  { id: 'aad-megan', name: 'Megan Bowen' },
  { id: 'aad-adele' },
  { id: 'rule:lab-dells', name: 'rule lab-dells' },
] as const;

/** `count` jobs created between `start` and `start + days`, in no particular order. */
export function generateReportJobs(count: number, start: Date, days: number, seed = 7): ImportJob[] {
  const random = seeded(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const jobs: ImportJob[] = [];
  for (let i = 0; i < count; i++) {
    const created = new Date(start.getTime() + Math.floor(random() * days * 86_400_000));
    const [manufacturer, model] = pick(MODELS);
    let job = submit(
      {
        id: `job-${seed}-${i}`,
        device: { serialNumber: `R${seed}-${i}`, manufacturer, model },
        hardwareHash: 'AAAA',
        submittedBy: { channel: 'api', via: pick(SOURCES) },
      },
      created,
      3 * 86_400_000,
    );
    job = { ...job, hardwareHash: null };
    const roll = random();
    const decidedAt = new Date(created.getTime() + 1 + Math.floor(random() * 6 * 3_600_000));
    if (roll < 0.1) {
      jobs.push(job); // still waiting
      continue;
    }
    if (roll < 0.18) {
      const expired = expire(job, new Date(created.getTime() + 3 * 86_400_000));
      if (expired.ok) jobs.push(expired.value);
      continue;
    }
    if (roll < 0.28) {
      const rejected = reject(job, { by: pick(PEOPLE), at: decidedAt, reason: 'Not ours' });
      if (rejected.ok) jobs.push(rejected.value);
      continue;
    }
    const approved = approve(job, {
      by: pick(PEOPLE),
      at: decidedAt,
      groupTag: pick(TAGS),
      comment: `INC-${i}`,
    });
    if (!approved.ok) throw approved.error;
    const done = new Date(decidedAt.getTime() + 60_000 + Math.floor(random() * 3_600_000));
    const finish = random();
    const status: JobStatus = finish < 0.1 ? 'running' : finish < 0.25 ? 'failed' : 'completed';
    const { nextRunAt: _n, ...rest } = approved.value;
    if (status === 'running') jobs.push({ ...approved.value, status });
    else if (status === 'failed') {
      const [code, name] = pick(FAILURES);
      const error = { step: 'import' as const, code, name, advice: 'x', retryable: false };
      jobs.push({ ...rest, status, error, updatedAt: done.toISOString() });
    } else {
      // Some completed jobs are lifecycle changes and deregistrations: a report counts them apart.
      const outcome =
        finish < 0.35
          ? ('already_registered' as const)
          : finish < 0.4
            ? ('changed' as const)
            : finish < 0.43
              ? ('deregistered' as const)
              : ('imported' as const);
      jobs.push({ ...rest, status, outcome, updatedAt: done.toISOString() });
    }
  }
  return jobs;
}
