/**
 * Probing a per-device wait. Graph can only tell one device's profile status per request, but devices that
 * started a wait together finish it at about the same time, in about the order they started. So a group of
 * waiting jobs is ordered by when each started the wait, a few of them spread across that order are asked
 * first (the probes), and only the jobs that started no later than the last probe that is ready are asked
 * after them; the rest wait for the next round without a request. Pure.
 */
import type { ImportJob, StepName } from '../domain/job.js';

export const PROBES = 4;

function startedAt(job: ImportJob, step: StepName): string {
  return job.steps.find((s) => s.name === step)?.startedAt ?? '';
}

/** The jobs ordered by when they started the step, and the probes among them: evenly spread, both ends included. */
export function chooseProbes(
  jobs: readonly ImportJob[],
  step: StepName,
  count = PROBES,
): { ordered: ImportJob[]; probes: ImportJob[] } {
  // Each job's start looked up once, and ISO times compared as plain strings: a sort of 10,000 waiting jobs that
  // looked up both starts and compared them by locale at every comparison took tens of ms, at every poll.
  const ordered = jobs
    .map((job) => ({ job, at: startedAt(job, step) }))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
    .map(({ job }) => job);
  if (ordered.length <= count) return { ordered, probes: ordered };
  const positions = new Set(
    Array.from({ length: count }, (_, i) => Math.round((i * (ordered.length - 1)) / (count - 1))),
  );
  return { ordered, probes: [...positions].map((p) => ordered[p] as ImportJob) };
}

/**
 * The jobs to ask about after the probes: every job ordered before the last probe that is done waiting (it is
 * probably done too), and every job that must be looked at anyway (its deadline is near).
 */
export function afterProbes(
  ordered: readonly ImportJob[],
  probes: readonly ImportJob[],
  probeDone: (job: ImportJob) => boolean,
  mustLook: (job: ImportJob) => boolean,
): ImportJob[] {
  const asked = new Set(probes.map((j) => j.id));
  const lastDone = Math.max(-1, ...probes.filter(probeDone).map((p) => ordered.indexOf(p)));
  return ordered.filter((job, index) => !asked.has(job.id) && (index <= lastDone || mustLook(job)));
}
