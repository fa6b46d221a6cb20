/**
 * The export's query string, validated at the edge, and the store walk behind it: the jobs created in
 * [from, to), page by page through the store's own listing (newest first), so that 100,000 rows never sit in
 * memory together.
 */
import { z } from 'zod';
import type { ImportJob } from '../domain/job.js';
import type { JobStore } from '../store/job-store.js';

const dateOrTime = () =>
  z
    .string({ error: 'is required (a date such as 2026-11-01, or an ISO-8601 time)' })
    .trim()
    .refine(
      (v) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) && !Number.isNaN(Date.parse(v)),
      {
        message: 'must be a date such as 2026-11-01, or an ISO-8601 time',
      },
    )
    .transform((v) => new Date(Date.parse(v)).toISOString());

export const exportQuerySchema = z
  .object({
    from: dateOrTime(),
    to: dateOrTime(),
    format: z.enum(['csv', 'json'], { error: 'must be csv or json' }).default('csv'),
  })
  .strict()
  .refine((q) => q.from < q.to, { message: 'must be before to', path: ['from'] });

export type ExportQuery = z.infer<typeof exportQuerySchema>;

export const EXPORT_PAGE_SIZE = 500;

/** Every job created in [from, to), a page at a time. */
export async function* jobsCreatedBetween(store: JobStore, query: ExportQuery): AsyncGenerator<ImportJob[]> {
  let cursor: string | undefined;
  do {
    const page = await store.list({
      createdFrom: query.from,
      createdBefore: query.to,
      limit: EXPORT_PAGE_SIZE,
      omitHash: true,
      ...(cursor ? { cursor } : {}),
    });
    if (page.items.length) yield page.items;
    cursor = page.nextCursor;
  } while (cursor);
}
