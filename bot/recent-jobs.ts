import { OPEN_STATUSES, TERMINAL_STATUSES, type ImportJob } from '../services/domain/job.js';
import type { JobStore } from '../services/store/job-store.js';

/** The jobs whose cards the channel should show: open ones, and those finished in the last week. */
export async function recentJobs(store: JobStore): Promise<ImportJob[]> {
  const weekAgo = new Date(Date.now() - 7 * 86_400_000).toISOString();
  const open = await store.list({ statuses: OPEN_STATUSES, limit: 500 });
  const finished = await store.list({ statuses: TERMINAL_STATUSES, createdFrom: weekAgo, limit: 500 });
  return [...open.items, ...finished.items];
}
