/** The intake API over restify: adapts HTTP to services/intake and keeps refusals in one shape. */
import type { IncomingMessage } from 'node:http';
import type restify from 'restify';
import type { ApprovalConfig, IntakeConfig } from '../services/config/config.js';
import type { ImportJob } from '../services/domain/job.js';
import { describeError } from '../services/errors.js';
import { batchDefaultsSchema, submitBatch, type BatchReport } from '../services/intake/batch.js';
import { changeBatchQuerySchema, submitChangeBatch } from '../services/intake/change-batch.js';
import type { TrustedProxies } from '../services/intake/client-address.js';
import type { IntakeAuth } from '../services/intake/intake-auth.js';
import { IntakeError } from '../services/intake/intake-error.js';
import type { IntakeService } from '../services/intake/intake-service.js';
import { jobView } from '../services/intake/job-view.js';
import { openApiDocument } from '../services/intake/openapi.js';
import { parseOrRefuse } from '../services/intake/parse.js';
import type { RateLimiter } from '../services/intake/rate-limiter.js';
import { parseSubmission } from '../services/intake/submission.js';
import type { Logger } from '../services/logging/logger.js';
import type { JobStore } from '../services/store/job-store.js';
import { readBody, requireContentType } from './http-body.js';
import { admitKey } from './key-admission.js';
import type { LongPolls } from './status-routes.js';
import { jobsStatus, pollQuerySchema, watch } from './status-routes.js';

export interface IntakeRouteDeps {
  intake: IntakeService;
  auth: IntakeAuth;
  /** Requests per intake key. */
  limiter: RateLimiter;
  /** Failed authentications per client address. */
  failures: RateLimiter;
  trusted: TrustedProxies;
  /** Long-polls held per key. */
  polls: LongPolls;
  store: JobStore;
  config: IntakeConfig;
  /** The group tags a bulk re-tag may set. */
  approvals: ApprovalConfig;
  logger: Logger;
}

interface Reply {
  status: number;
  body: unknown;
}

function admit(req: IncomingMessage, deps: IntakeRouteDeps): string {
  return admitKey(req, deps, { bucket: 'key', tooMany: 'Too many requests with this key.' });
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw new IntakeError('invalid_json', 'The body is not valid JSON.', 'body');
  }
}

async function postSubmission(req: IncomingMessage, deps: IntakeRouteDeps): Promise<Reply> {
  const via = admit(req, deps);
  requireContentType(req, ['application/json']);
  const body = parseJson(await readBody(req, deps.config.maxBodyBytes));
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new IntakeError('invalid_json', 'The body must be a JSON object.', 'body');
  const submission = parseSubmission(body as Record<string, unknown>);
  const { created, job } = await deps.intake.submitOne(submission, { channel: 'api', via });
  return created
    ? { status: 202, body: { id: job.id, status: job.status } }
    : { status: 200, body: jobView(job) };
}

async function postBatch(req: restify.Request, deps: IntakeRouteDeps): Promise<Reply> {
  const via = admit(req, deps);
  requireContentType(req, ['text/csv', 'text/plain', 'application/octet-stream']);
  const defaults = parseOrRefuse(batchDefaultsSchema, req.query ?? {}, 'query.');
  const csv = await readBody(req, deps.config.maxBatchBytes);
  return batchReply(await submitBatch(deps.intake, csv, defaults, { channel: 'batch', via }));
}

/** Bulk re-tag: a file of serial numbers, `?groupTag=` the new tag; one batch card for the approvers. */
async function postChangeBatch(req: restify.Request, deps: IntakeRouteDeps): Promise<Reply> {
  const via = admit(req, deps);
  requireContentType(req, ['text/csv', 'text/plain', 'application/octet-stream']);
  const query = parseOrRefuse(changeBatchQuerySchema, req.query ?? {}, 'query.');
  const csv = await readBody(req, deps.config.maxBatchBytes);
  return batchReply(
    await submitChangeBatch(deps.intake, csv, query, { channel: 'batch', via }, deps.approvals),
  );
}

function batchReply(report: BatchReport): Reply {
  if (report.accepted === 0) {
    return {
      status: 422,
      body: { error: { code: 'no_valid_rows', message: 'No row of the file was accepted.' }, report },
    };
  }
  return { status: 202, body: report };
}

async function getSubmission(req: restify.Request, deps: IntakeRouteDeps): Promise<Reply> {
  const keyName = admit(req, deps);
  const query = parseOrRefuse(pollQuerySchema, req.query ?? {});
  const rawId = (req.params as Record<string, unknown>).id;
  const id = typeof rawId === 'string' ? rawId : '';
  const load = async (): Promise<ImportJob[]> => {
    const [job] = await deps.store.peek([id]);
    if (!job) throw new IntakeError('not_found', `No submission with id ${id.slice(0, 64)}.`, 'id');
    return [job];
  };
  let closed = false;
  req.once('close', () => (closed = true));
  const poll = () =>
    watch(load, {
      waitSeconds: query.waitSeconds,
      ...(query.since ? { since: query.since } : {}),
      closed: () => closed,
    });
  const [job] = query.waitSeconds > 0 ? await deps.polls.hold(keyName, poll) : await poll();
  return { status: 200, body: jobView(job!) };
}

/** Many jobs at once (a CSV batch): one request instead of one long-poll per job. */
async function postStatus(req: restify.Request, deps: IntakeRouteDeps): Promise<Reply> {
  const keyName = admit(req, deps);
  requireContentType(req, ['application/json']);
  const body = parseJson(await readBody(req, deps.config.maxBodyBytes));
  const wait = (body as { waitSeconds?: unknown } | null)?.waitSeconds;
  const answer = () => jobsStatus(req, deps.store, body);
  return { status: 200, body: wait ? await deps.polls.hold(keyName, answer) : await answer() };
}

function route(
  deps: IntakeRouteDeps,
  handler: (req: restify.Request, deps: IntakeRouteDeps) => Promise<Reply>,
): restify.RequestHandler {
  return (req, res, next) => {
    handler(req, deps)
      .then(({ status, body }) => {
        res.send(status, body);
      })
      .catch((error: unknown) => {
        if (error instanceof IntakeError) {
          if (error.retryAfterMs !== undefined)
            res.header('Retry-After', String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
          res.send(error.status, error.toBody());
          return;
        }
        deps.logger.error({ err: describeError(error), path: req.getPath() }, 'intake request failed');
        res.send(500, {
          error: { code: 'internal', message: 'The service could not handle the request; try again.' },
        });
      })
      .finally(() => next());
  };
}

export function registerIntakeRoutes(server: restify.Server, deps: IntakeRouteDeps): void {
  server.post('/api/submissions', route(deps, postSubmission));
  server.post('/api/submissions/batch', route(deps, postBatch));
  server.post('/api/submissions/status', route(deps, postStatus));
  server.post('/api/changes/batch', route(deps, postChangeBatch));
  server.get('/api/submissions/:id', route(deps, getSubmission));
  server.get('/api/openapi.json', (_req, res, next) => {
    res.send(200, openApiDocument());
    next();
  });
}
