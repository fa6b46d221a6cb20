import type { ImportJob } from '../domain/job.js';
import type { JobStore, ListQuery } from './job-store.js';

/** Every job matching the filter, newest first, read page by page up to `max` (a bound, not a target). */
export async function listAll(
  store: JobStore,
  filter: Omit<ListQuery, 'limit' | 'cursor'>,
  max = 5000,
): Promise<ImportJob[]> {
  const jobs: ImportJob[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ ...filter, limit: 500, ...(cursor ? { cursor } : {}) });
    jobs.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && jobs.length < max);
  return jobs;
}
