/**
 * The whole service in its own process, for reliability tests and benchmarks that kill it: started from
 * SERVICE_CONFIG (JSON) against a Graph emulator and, optionally, a Cosmos DB server that live in the parent
 * and so outlive every kill. Prints "READY <url>" once it serves requests.
 */
import { Agent } from 'node:https';
import { startApp } from '../../bot/app.js';
import { loadConfig } from '../../services/config/config.js';
import { createAutopilotGraph } from '../../services/graph/create-graph.js';
import { localAuthority } from '../../services/graph/local-authority.js';
import { createMsalTokenProvider } from '../../services/graph/token-provider.js';
import { createLogger } from '../../services/logging/logger.js';
import { CosmosJobStore } from '../../services/store/cosmos/cosmos-job-store.js';

export interface ServiceProcessConfig {
  /** Settings as in the environment (see .env.sample). */
  env: Record<string, string>;
  graph: {
    graphUrl: string;
    authorityHost: string;
    tenantId: string;
    clientId: string;
    secret: string;
    caCertificate: string;
    /** The throttling window the client keeps to: 20 s scaled like the emulator's clock. */
    budgetWindowMs: number;
  };
  cosmos?: { endpoint: string; key: string; databaseId: string; containerId: string };
}

const spec = JSON.parse(process.env.SERVICE_CONFIG ?? '{}') as ServiceProcessConfig;
const config = loadConfig(spec.env);
const logger = createLogger({ level: (process.env.SERVICE_LOG_LEVEL as 'silent' | undefined) ?? 'silent' });
const { graph: g } = spec;
const tokens = createMsalTokenProvider({
  tenantId: g.tenantId,
  clientId: g.clientId,
  credential: { kind: 'secret', secret: g.secret },
  authorityHost: g.authorityHost,
  graphBaseUrl: g.graphUrl,
  local: localAuthority(g.authorityHost, g.tenantId, g.caCertificate),
});
const graph = createAutopilotGraph({
  baseUrl: g.graphUrl,
  tokens,
  logger,
  budget: {
    requestsPer20s: config.graph.requestsPer20s,
    writesPer20s: config.graph.writesPer20s,
    windowMs: g.budgetWindowMs,
  },
  baseDelayMs: 20,
});
const store = spec.cosmos
  ? await CosmosJobStore.open({
      ...spec.cosmos,
      retentionDays: config.retentionDays,
      createIfMissing: true,
      // The local Cosmos DB server's certificate is self-signed; trusted for this client only.
      agent: new Agent({ rejectUnauthorized: false, keepAlive: true }),
    })
  : undefined;
const app = await startApp(config, logger, {
  host: '127.0.0.1',
  graphAccess: { graph, tokens, tenantId: g.tenantId, stop: () => Promise.resolve() },
  ...(store ? { store } : {}),
});
process.stdout.write(`READY ${app.url}\n`);
process.once('SIGTERM', () => {
  void app.stop().then(() => process.exit(0));
});
