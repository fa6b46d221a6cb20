/** When to look again at a wait, and when to give up. Pure. */
import type { ImportJob, JobError, StepName } from '../domain/job.js';
import type { PipelineSettings } from './settings.js';
import type { StepOutcome } from './step-outcome.js';

const WAIT_DEADLINES: Partial<Record<StepName, keyof PipelineSettings['deadlinesMs']>> = {
  'await-import': 'import',
  'await-autopilot-device': 'autopilotDevice',
  'await-entra-device': 'entraDevice',
  'add-to-group': 'entraDevice',
  'await-profile': 'profile',
  'verify-change': 'autopilotDevice',
  'await-removal': 'autopilotDevice',
};

const TIMEOUT_ADVICE: Partial<Record<StepName, string>> = {
  'await-import': 'The import did not finish in time. Intune may be slow; retry later.',
  'await-autopilot-device':
    'The Autopilot device did not appear in time. Retry later; a sync is requested at most every 10 minutes.',
  'await-entra-device': 'The Entra device object did not appear in time. Retry later.',
  'add-to-group': 'The Entra device was not ready to join the profile group in time. Retry later.',
  'verify-change':
    'Intune did not show the change in time. Look the device up: the change may still arrive; otherwise request it again.',
  'await-removal': 'Intune still lists the deleted record. Deletion can take minutes; retry to wait again.',
  'await-profile':
    'The deployment profile was not assigned in time. Check that the profile targets the group (or group tag) of this device, then retry.',
};

function waitedMs(job: ImportJob, step: StepName, now: Date): number {
  const started = job.steps.find((s) => s.name === step)?.startedAt;
  return started ? now.getTime() - Date.parse(started) : 0;
}

/**
 * When to look again. Before the wait is usually over (when known): at that moment. After it: polls get sparser
 * as the wait grows, about a quarter of the time waited so far, within bounds, on a grid that lines up the polls
 * of jobs waiting about as long.
 */
export function nextPoll(
  job: ImportJob,
  step: StepName,
  now: Date,
  settings: PipelineSettings,
  random: () => number,
  firstLook?: Date,
): Date {
  if (firstLook && firstLook.getTime() > now.getTime() + settings.pollMinMs) return firstLook;
  const waited = waitedMs(job, step, now);
  const base = Math.min(settings.pollMaxMs, Math.max(settings.pollMinMs, waited / 4));
  const at = now.getTime() + base * (0.9 + random() * 0.2);
  // Aligned to a grid as coarse as the interval (pollMin × a power of two): jobs that wait about as long come
  // due at the same instant, are claimed together, and share their polls.
  const grid = settings.pollMinMs * 2 ** Math.floor(Math.log2(base / settings.pollMinMs));
  return new Date(Math.ceil(at / grid) * grid);
}

/**
 * True when the wait will reach its deadline by the next poll: such a job is always asked about, so that it
 * never times out on a guess.
 */
export function nearDeadline(job: ImportJob, step: StepName, now: Date, settings: PipelineSettings): boolean {
  const deadlineKey = WAIT_DEADLINES[step];
  if (!deadlineKey) return false;
  return waitedMs(job, step, now) + settings.pollMaxMs >= settings.deadlinesMs[deadlineKey];
}

/** The outcome of a wait whose object is not there yet: poll again, or time out past the deadline. */
export function keepWaiting(
  job: ImportJob,
  step: StepName,
  now: Date,
  settings: PipelineSettings,
  random: () => number,
  firstLook?: Date,
): StepOutcome {
  const deadlineKey = WAIT_DEADLINES[step];
  if (deadlineKey && waitedMs(job, step, now) >= settings.deadlinesMs[deadlineKey]) {
    const error: JobError = {
      step,
      code: 'Timeout',
      name: `${step}-timed-out`,
      advice: TIMEOUT_ADVICE[step] ?? 'The step did not finish in time. Retry later.',
      retryable: true,
    };
    return { kind: 'fail', error };
  }
  return { kind: 'wait', until: nextPoll(job, step, now, settings, random, firstLook) };
}
