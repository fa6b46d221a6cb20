/**
 * A pipeline worker in its own process, for crash tests. Configured by the WORKER_CONFIG environment variable
 * (JSON). Prints one JSON line per persisted change. With `crashAt` = "<step>:<state>" it kills itself with
 * SIGKILL right after the first change that leaves a job's step in that state: a crash at an exact point.
 */
import { currentStep, type ImportJob } from '../../services/domain/job.js';
import { createLogger } from '../../services/logging/logger.js';
import { createAutopilotGraph } from '../../services/graph/create-graph.js';
import { localAuthority } from '../../services/graph/local-authority.js';
import { createMsalTokenProvider } from '../../services/graph/token-provider.js';
import type { PipelineSettings } from '../../services/pipeline/settings.js';
import { createSyncGate } from '../../services/pipeline/sync-gate.js';
import { PipelineWorker } from '../../services/pipeline/worker.js';
import { SqliteJobStore } from '../../services/store/sqlite/sqlite-job-store.js';

interface WorkerProcessConfig {
  dbPath: string;
  graphUrl: string;
  authorityHost: string;
  tenantId: string;
  clientId: string;
  secret: string;
  caCertificate: string;
  settings: PipelineSettings;
  owner: string;
  crashAt?: string;
}

const config = JSON.parse(process.env.WORKER_CONFIG ?? '{}') as WorkerProcessConfig;
const logger = createLogger({ level: 'silent' });
const store = new SqliteJobStore(config.dbPath);
const graph = createAutopilotGraph({
  baseUrl: config.graphUrl,
  tokens: createMsalTokenProvider({
    tenantId: config.tenantId,
    clientId: config.clientId,
    credential: { kind: 'secret', secret: config.secret },
    authorityHost: config.authorityHost,
    graphBaseUrl: config.graphUrl,
    local: localAuthority(config.authorityHost, config.tenantId, config.caCertificate),
  }),
  logger,
  budget: { requestsPer20s: 900, writesPer20s: 90 },
  baseDelayMs: 20,
});

function stepStates(job: ImportJob): string[] {
  return job.steps.map((s) => `${s.name}:${s.state}`);
}

const seen = new Map<string, Set<string>>();
for (const job of (await store.list({ limit: 1000 })).items) seen.set(job.id, new Set(stepStates(job)));
const worker = new PipelineWorker({
  store,
  graph,
  syncGate: createSyncGate({
    store,
    graph,
    tenantKey: config.tenantId,
    intervalMs: config.settings.syncIntervalMs,
    logger,
  }),
  settings: config.settings,
  logger,
  owner: config.owner,
  publisher: {
    jobChanged(job) {
      const before = seen.get(job.id) ?? new Set<string>();
      const states = stepStates(job);
      seen.set(job.id, new Set(states));
      process.stdout.write(
        `${JSON.stringify({ jobId: job.id, status: job.status, step: currentStep(job)?.name })}\n`,
      );
      // Crash only on a change that newly reached the state (not on one that was already there at start).
      if (config.crashAt && states.includes(config.crashAt) && !before.has(config.crashAt)) {
        process.kill(process.pid, 'SIGKILL');
      }
    },
  },
});
worker.start();
process.on('SIGTERM', () => {
  void worker.stop().then(() => process.exit(0));
});
