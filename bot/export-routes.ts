/**
 * `GET /api/exports/jobs?from=…&to=…&format=csv|json`: the job history for auditors and asset registers, one row per
 * job, never a hash. Read-only keys of their own (`REPORT_KEYS`): an intake key cannot read the history, a report
 * key cannot submit. Streamed page by page with back-pressure, so 100,000 rows take little memory.
 */
import type { ServerResponse } from 'node:http';
import type restify from 'restify';
import { describeError } from '../services/errors.js';
import type { TrustedProxies } from '../services/intake/client-address.js';
import { admitKey } from './key-admission.js';
import type { IntakeAuth } from '../services/intake/intake-auth.js';
import { IntakeError } from '../services/intake/intake-error.js';
import { parseOrRefuse } from '../services/intake/parse.js';
import type { RateLimiter } from '../services/intake/rate-limiter.js';
import type { Logger } from '../services/logging/logger.js';
import { csvRecord } from '../services/reports/csv.js';
import { exportQuerySchema, jobsCreatedBetween, type ExportQuery } from '../services/reports/export-query.js';
import { EXPORT_COLUMNS, exportRow, type ExportRow } from '../services/reports/export-rows.js';
import type { JobStore } from '../services/store/job-store.js';

export interface ExportRouteDeps {
  auth: IntakeAuth;
  /** Exports per report key. */
  limiter: RateLimiter;
  /** Failed authentications per client address. */
  failures: RateLimiter;
  trusted: TrustedProxies;
  store: JobStore;
  logger: Logger;
}

function admit(req: restify.Request, deps: ExportRouteDeps): string {
  return admitKey(req, deps, { bucket: 'report', tooMany: 'Too many exports with this key.' });
}

const csvLine = (row: ExportRow) => csvRecord(EXPORT_COLUMNS.map((column) => row[column]));

/** Writes a chunk and waits when the client reads slower than the store is read. */
function write(res: ServerResponse, chunk: string): Promise<void> {
  return res.write(chunk) ? Promise.resolve() : new Promise((resolve) => res.once('drain', () => resolve()));
}

async function stream(res: ServerResponse, deps: ExportRouteDeps, query: ExportQuery): Promise<number> {
  let rows = 0;
  if (query.format === 'csv') await write(res, csvRecord(EXPORT_COLUMNS));
  else await write(res, '[');
  for await (const page of jobsCreatedBetween(deps.store, query)) {
    if (res.destroyed) break;
    const text =
      query.format === 'csv'
        ? page.map((job) => csvLine(exportRow(job))).join('')
        : page.map((job, i) => `${rows + i ? ',' : ''}\n${JSON.stringify(exportRow(job))}`).join('');
    rows += page.length;
    await write(res, text);
  }
  if (query.format === 'json') await write(res, '\n]\n');
  return rows;
}

function getJobsExport(deps: ExportRouteDeps): restify.RequestHandler {
  return (req, res, next) => {
    let started = false;
    const run = async () => {
      const keyName = admit(req, deps);
      const query = parseOrRefuse(exportQuerySchema, req.query ?? {}, 'query.');
      const name = `jobs-${query.from.slice(0, 10)}-${query.to.slice(0, 10)}.${query.format}`;
      res.writeHead(200, {
        'Content-Type':
          query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
        'Content-Disposition': `attachment; filename="${name}"`,
        'Cache-Control': 'no-store',
      });
      started = true;
      const rows = await stream(res, deps, query);
      res.end();
      deps.logger.info(
        { key: keyName, rows, from: query.from, to: query.to, format: query.format },
        'jobs exported',
      );
    };
    run()
      .catch((error: unknown) => {
        if (started) {
          // The status line is gone: cut the stream, so the client sees an incomplete download, not a short file.
          deps.logger.error({ err: describeError(error) }, 'export failed while streaming');
          res.destroy();
          return;
        }
        if (error instanceof IntakeError) {
          if (error.retryAfterMs !== undefined)
            res.header('Retry-After', String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
          res.send(error.status, error.toBody());
          return;
        }
        deps.logger.error({ err: describeError(error) }, 'export failed');
        res.send(500, { error: { code: 'internal', message: 'The export failed; try again.' } });
      })
      .finally(() => next());
  };
}

export function registerExportRoutes(server: restify.Server, deps: ExportRouteDeps): void {
  server.get('/api/exports/jobs', getJobsExport(deps));
}
