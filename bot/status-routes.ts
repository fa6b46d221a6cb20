/**
 * Where submissions stand, for clients that wait on them: `GET /api/submissions/{id}` for one job and
 * `POST /api/submissions/status` for up to 500 at once (a whole CSV batch in one request). Both can long-poll:
 * they answer as soon as a job changed after `since`, or when `waitSeconds` is over. The store (shared by every
 * instance) is looked at with a growing pause (250 ms up to 2 s), and each key may hold at most
 * MAX_POLLS_PER_KEY waiting requests at once: past that, 429 with Retry-After.
 */
import type restify from 'restify';
import { z } from 'zod';
import type { ImportJob } from '../services/domain/job.js';
import { IntakeError } from '../services/intake/intake-error.js';
import { jobView } from '../services/intake/job-view.js';
import { parseOrRefuse } from '../services/intake/parse.js';
import type { JobStore } from '../services/store/job-store.js';

export const MAX_WAIT_SECONDS = 60;
export const MAX_STATUS_IDS = 500;
const MAX_POLLS_PER_KEY = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Long-polls held per intake key. */
export class LongPolls {
  private readonly held = new Map<string, number>();

  async hold<T>(key: string, work: () => Promise<T>): Promise<T> {
    const now = this.held.get(key) ?? 0;
    if (now >= MAX_POLLS_PER_KEY)
      throw new IntakeError(
        'rate_limited',
        `At most ${MAX_POLLS_PER_KEY} waiting status requests per key; ask for many jobs at once with POST /api/submissions/status.`,
        undefined,
        1_000,
      );
    this.held.set(key, now + 1);
    try {
      return await work();
    } finally {
      const left = (this.held.get(key) ?? 1) - 1;
      if (left > 0) this.held.set(key, left);
      else this.held.delete(key);
    }
  }
}

/** Reads until a job changed after `since` (or, without it, after the first read), or the wait is over. */
export async function watch(
  load: () => Promise<ImportJob[]>,
  options: { waitSeconds: number; since?: string; closed: () => boolean },
): Promise<ImportJob[]> {
  let jobs = await load();
  const seen = options.since ?? newest(jobs);
  const deadline = Date.now() + options.waitSeconds * 1000;
  let pause = 250;
  while (newest(jobs) <= seen && Date.now() < deadline && !options.closed()) {
    await sleep(Math.min(pause, Math.max(0, deadline - Date.now())));
    pause = Math.min(2_000, pause * 2);
    jobs = await load();
  }
  return jobs;
}

const newest = (jobs: readonly ImportJob[]) => jobs.reduce((m, j) => (j.updatedAt > m ? j.updatedAt : m), '');

const waitSeconds = z.coerce
  .number({ error: `must be a whole number from 0 to ${MAX_WAIT_SECONDS}` })
  .int(`must be a whole number from 0 to ${MAX_WAIT_SECONDS}`)
  .min(0, `must be a whole number from 0 to ${MAX_WAIT_SECONDS}`)
  .max(MAX_WAIT_SECONDS, `must be a whole number from 0 to ${MAX_WAIT_SECONDS}`)
  .default(0);
const since = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO date-time')
  .optional();

export const pollQuerySchema = z.object({ waitSeconds, since });

export const statusRequestSchema = z
  .object({
    ids: z
      .array(z.string().min(1).max(64), { error: 'must be a list of job ids' })
      .min(1, 'must hold at least one job id')
      .max(MAX_STATUS_IDS, `must hold at most ${MAX_STATUS_IDS} job ids`),
    waitSeconds,
    since,
  })
  .strict();

export async function jobsStatus(
  req: restify.Request,
  store: JobStore,
  body: unknown,
): Promise<{ jobs: ReturnType<typeof jobView>[]; missing: string[] }> {
  const request = parseOrRefuse(statusRequestSchema, body);
  const ids = [...new Set(request.ids)];
  let closed = false;
  req.once('close', () => (closed = true));
  let missing: string[] = [];
  const load = async () => {
    const found = await store.peek(ids);
    const seen = new Set(found.map((j) => j.id));
    missing = ids.filter((id) => !seen.has(id));
    return found;
  };
  const jobs = await watch(load, {
    waitSeconds: request.waitSeconds,
    ...(request.since ? { since: request.since } : {}),
    closed: () => closed,
  });
  return { jobs: jobs.map(jobView), missing };
}
