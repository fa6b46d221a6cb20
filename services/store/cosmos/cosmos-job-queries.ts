/**
 * The queries of the Cosmos DB store, shaped for the container's indexes (container-setup.ts): equality first,
 * `IN` over scalar parameters, and an ORDER BY that a composite index serves. A listing over several statuses is one
 * query per status, merged here, since `ORDER BY status, createdAt` over an `IN` would sort by status first.
 */
import type { SqlParameter, SqlQuerySpec } from '@azure/cosmos';
import { decodeCursor } from '../cursor.js';
import type { JobFilter, ListQuery } from '../job-store.js';

/** `c.<field> IN (@p0, @p1, …)` with one scalar parameter each. */
export function inList(
  field: string,
  name: string,
  values: readonly string[],
): { clause: string; parameters: SqlParameter[] } {
  const parameters = values.map((value, i) => ({ name: `@${name}${i}`, value }));
  return { clause: `${field} IN (${parameters.map((p) => p.name).join(', ')})`, parameters };
}

/** The WHERE clauses of a listing's filter. Jobs written before `people` existed are matched by their fields. */
export function filterClauses(filter: JobFilter): { where: string[]; parameters: SqlParameter[] } {
  const where = ["c.type = 'job'"];
  const parameters: SqlParameter[] = [];
  const add = (clause: string, ...params: SqlParameter[]) => {
    where.push(clause);
    parameters.push(...params);
  };
  if (filter.batchId) add('c.batchId = @batch', { name: '@batch', value: filter.batchId });
  if (filter.serialNumber)
    add('c.device.serialNumber = @serial', { name: '@serial', value: filter.serialNumber });
  if (filter.createdFrom) add('c.createdAt >= @from', { name: '@from', value: filter.createdFrom });
  if (filter.createdBefore) add('c.createdAt < @before', { name: '@before', value: filter.createdBefore });
  if (filter.person)
    add(
      `(ARRAY_CONTAINS(c.people, @person) OR (NOT IS_DEFINED(c.people)
        AND (LOWER(c.submittedBy.requestedBy) = @person OR LOWER(c.device.assignedUser) = @person)))`,
      { name: '@person', value: filter.person },
    );
  return { where, parameters };
}

/** One COUNT query (statuses as an IN list: no ORDER BY to keep). */
export function countQuery(filter: JobFilter): SqlQuerySpec {
  const { where, parameters } = filterClauses(filter);
  if (filter.statuses?.length) {
    const statuses = inList('c.status', 'status', [...new Set(filter.statuses)]);
    where.push(statuses.clause);
    parameters.push(...statuses.parameters);
  }
  return { query: `SELECT VALUE COUNT(1) FROM c WHERE ${where.join(' AND ')}`, parameters };
}

/** The queries that together answer a listing, each at most `limit + 1` rows, newest first. */
export function listingQueries(query: ListQuery): SqlQuerySpec[] {
  const { where, parameters } = filterClauses(query);
  const add = (clause: string, ...params: SqlParameter[]) => {
    where.push(clause);
    parameters.push(...params);
  };
  if (query.cursor) {
    const after = decodeCursor(query.cursor);
    add(
      '(c.createdAt < @afterAt OR (c.createdAt = @afterAt AND c.id < @afterId))',
      { name: '@afterAt', value: after.createdAt },
      { name: '@afterId', value: after.id },
    );
  }
  const top = Math.max(1, Math.floor(query.limit)) + 1;
  const spec = (extra: string[], extraParams: SqlParameter[], orderBy: string): SqlQuerySpec => ({
    query: `SELECT TOP ${top} * FROM c WHERE ${[...where, ...extra].join(' AND ')} ORDER BY ${orderBy}`,
    parameters: [...parameters, ...extraParams],
  });
  // The batch's composite index (batchId, createdAt DESC, id DESC) serves a batch listing, whatever its statuses.
  if (query.batchId) {
    const statuses = query.statuses?.length ? [inList('c.status', 'status', query.statuses)] : [];
    return [
      spec(
        statuses.map((s) => s.clause),
        statuses.flatMap((s) => s.parameters),
        'c.batchId ASC, c.createdAt DESC, c.id DESC',
      ),
    ];
  }
  if (!query.statuses?.length) return [spec([], [], 'c.createdAt DESC, c.id DESC')];
  return [...new Set(query.statuses)].map((status) =>
    spec(
      ['c.status = @status'],
      [{ name: '@status', value: status }],
      'c.status ASC, c.createdAt DESC, c.id DESC',
    ),
  );
}

/** Newest first by (createdAt, id), as every listing is. */
export function newestFirst(
  a: { createdAt: string; id: string },
  b: { createdAt: string; id: string },
): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
