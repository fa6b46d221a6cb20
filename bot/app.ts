/** Builds and starts the service from a Config: store, Graph access, pipeline worker and HTTP server. */
import type { Config } from '../services/config/config.js';
import type { Logger } from '../services/logging/logger.js';
import { loggingPublisher } from '../services/pipeline/logging-publisher.js';
import { SYNC_INTERVAL_MS, type PipelineSettings } from '../services/pipeline/settings.js';
import { createSyncGate } from '../services/pipeline/sync-gate.js';
import { PipelineWorker } from '../services/pipeline/worker.js';
import type { JobStore } from '../services/store/job-store.js';
import { openJobStore } from '../services/store/open-store.js';
import { IntakeAuth } from '../services/intake/intake-auth.js';
import { IntakeService } from '../services/intake/intake-service.js';
import { RateLimiter } from '../services/intake/rate-limiter.js';
import { demoIntakeKey } from './demo-key.js';
import { openGraphAccess, type GraphAccess } from './graph-access.js';
import { registerIntakeRoutes } from './intake-routes.js';
import { createServer, listen } from './server.js';

export interface RunningApp {
  url: string;
  store: JobStore;
  graphAccess: GraphAccess;
  worker: PipelineWorker;
  /** The demo's own intake key (demo mode without INTAKE_KEYS only). */
  demoKey?: string;
  stop(): Promise<void>;
}

export function pipelineSettings(config: Config): PipelineSettings {
  const p = config.pipeline;
  return {
    batchSize: p.batchSize,
    leaseMs: p.leaseMs,
    tickMs: p.tickMs,
    deadlinesMs: p.deadlinesMs,
    pollMinMs: p.pollMinMs,
    pollMaxMs: p.pollMaxMs,
    maxAttempts: 5,
    retryBaseMs: 5_000,
    syncIntervalMs: SYNC_INTERVAL_MS,
    ...(p.profileGroupId ? { profileGroupId: p.profileGroupId } : {}),
  };
}

export async function startApp(
  config: Config,
  logger: Logger,
  options: { host?: string } = {},
): Promise<RunningApp> {
  const store = await openJobStore(config.store, config.retentionDays);
  const graphAccess = await openGraphAccess(config, logger);
  const settings = pipelineSettings(config);
  const publisher = loggingPublisher(logger);
  const worker = new PipelineWorker({
    store,
    graph: graphAccess.graph,
    syncGate: createSyncGate({
      store,
      graph: graphAccess.graph,
      tenantKey: graphAccess.tenantId,
      intervalMs: settings.syncIntervalMs,
      logger,
    }),
    settings,
    publisher,
    logger,
    retentionDays: config.retentionDays,
  });
  worker.start();
  const server = createServer({
    logger,
    mode: config.mode,
    storeKind: config.store.kind,
    startedAt: new Date(),
  });
  const demoKey =
    config.intake.keys.length === 0 && config.mode === 'demo' ? demoIntakeKey(config.dataDir) : undefined;
  const keys = demoKey ? [demoKey] : config.intake.keys;
  if (keys.length === 0) logger.warn('INTAKE_KEYS is empty: the intake API refuses every request');
  const intake = new IntakeService({
    store,
    graph: graphAccess.graph,
    publisher,
    logger,
    approvalWindowMs: config.approvalWindowMs,
    allowLists: {
      manufacturers: config.intake.allowedManufacturers,
      models: config.intake.allowedModels,
      mode: config.intake.allowListMode,
    },
  });
  registerIntakeRoutes(server, {
    intake,
    auth: new IntakeAuth(keys),
    limiter: new RateLimiter(config.intake.ratePerMinute),
    store,
    config: config.intake,
    logger,
  });
  await listen(server, config.port, options.host);
  const { port } = server.address();
  return {
    url: `http://localhost:${port}`,
    store,
    graphAccess,
    worker,
    ...(demoKey ? { demoKey: demoKey.key } : {}),
    async stop() {
      server.close();
      await worker.stop();
      await graphAccess.stop();
      await store.close();
    },
  };
}
