/** The HTTP server: restify, with the routes the service exposes. Only bot/ knows restify. */
import restify from 'restify';
import type { DoctorReport } from '../services/graph/doctor.js';
import type { Logger } from '../services/logging/logger.js';

export interface ServerDeps {
  logger: Logger;
  mode: 'demo' | 'production';
  storeKind: string;
  startedAt: Date;
  /** The doctor's checks, for `GET /api/health?deep=1` (answered from a cache a minute old at most). */
  deepCheck?: () => Promise<DoctorReport>;
  /** For `GET /api/ready`: why the instance should get no traffic now, or undefined when it may. */
  notReady?: () => Promise<string | undefined>;
}

const DEEP_CACHE_MS = 60_000;

/** Runs the deep check at most once a minute, however often it is asked (each run costs Graph requests). */
function cachedDeepCheck(check: () => Promise<DoctorReport>): () => Promise<DoctorReport> {
  let last: { at: number; report: Promise<DoctorReport> } | undefined;
  return () => {
    if (!last || Date.now() - last.at > DEEP_CACHE_MS) last = { at: Date.now(), report: check() };
    return last.report;
  };
}

/**
 * What the unauthenticated deep health check shows: which check passed, by permission name and setting. No
 * group ids or names, no error texts (they name the app and the tenant): `npm run doctor` has the details.
 */
function deepView(report: DoctorReport) {
  return {
    ok: report.ok,
    token: report.tokenProblem ? 'failed' : 'ok',
    permissions: report.permissions.map((p) => ({ permission: p.permission, status: p.status })),
    groups: report.groups.map((g) => ({
      setting: g.setting,
      status: g.unchecked ? 'unchecked' : g.problem ? 'problem' : 'ok',
    })),
  };
}

export function createServer(deps: ServerDeps): restify.Server {
  const server = restify.createServer({ name: 'autopilot-approvals', handleUncaughtExceptions: false });
  server.use(restify.plugins.queryParser());
  const deep = deps.deepCheck ? cachedDeepCheck(deps.deepCheck) : undefined;
  server.get('/api/health', async (req, res) => {
    const base = {
      mode: deps.mode,
      store: deps.storeKind,
      uptimeSeconds: Math.round((Date.now() - deps.startedAt.getTime()) / 1000),
    };
    const query = (req.query ?? {}) as Record<string, unknown>;
    if (!deep || (query.deep !== '1' && query.deep !== 'true')) {
      res.send(200, { status: 'ok', ...base });
      return;
    }
    const report = await deep().catch((error: unknown): DoctorReport => ({
      ok: false,
      permissions: [],
      groups: [],
      tokenProblem: `the check failed: ${error instanceof Error ? error.message : String(error)}`,
    }));
    res.send(report.ok ? 200 : 503, {
      status: report.ok ? 'ok' : 'degraded',
      ...base,
      graph: deepView(report),
    });
  });
  // Readiness, apart from liveness: 503 while the store cannot be reached or the instance is stopping, so that a
  // load balancer sends the traffic elsewhere without the instance being restarted.
  server.get('/api/ready', async (_req, res) => {
    const reason = deps.notReady ? await deps.notReady() : undefined;
    res.send(reason ? 503 : 200, reason ? { status: 'unavailable', reason } : { status: 'ready' });
  });
  return server;
}

export function listen(server: restify.Server, port: number, host?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
