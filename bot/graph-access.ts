/**
 * Graph access for the configured target: Microsoft Graph with the app registration; in the demo, the Graph
 * emulator started in-process with a realistic scenario at demo speed, or a standalone emulator at
 * GRAPH_EMULATOR_URL (a rehearsal), whose authority, certificate and test app are read from the emulator.
 */
import type { Config } from '../services/config/config.js';
import type { AutopilotGraph } from '../services/graph/autopilot-graph.js';
import { createAutopilotGraph } from '../services/graph/create-graph.js';
import { localAuthority } from '../services/graph/local-authority.js';
import { createMsalTokenProvider, type TokenProvider } from '../services/graph/token-provider.js';
import type { Logger } from '../services/logging/logger.js';
import { DEMO_APP, startGraphEmulator, type RunningGraphEmulator } from '../graph-emulator/server.js';
import { fetchEmulatorConnection, type EmulatorConnection } from '../graph-emulator/connection.js';
import type { Scenario } from '../graph-emulator/scenario.js';

export interface GraphAccess {
  graph: AutopilotGraph;
  tokens: TokenProvider;
  tenantId: string;
  emulator?: RunningGraphEmulator;
  stop(): Promise<void>;
}

/** What the demo asks of its emulator: a scenario, and records to seed (an already registered device). */
export interface EmulatorSetup {
  scenario?: Partial<Scenario>;
  seed?(emulator: RunningGraphEmulator): void;
}

function microsoftAccess(config: Config, logger: Logger): GraphAccess {
  const { graph } = config;
  if (!graph.tenantId || !graph.clientId || !graph.credential)
    throw new Error('Graph credentials are missing from the configuration.');
  const tokens = createMsalTokenProvider({
    tenantId: graph.tenantId,
    clientId: graph.clientId,
    credential: graph.credential,
    authorityHost: graph.authorityHost,
    graphBaseUrl: graph.baseUrl,
  });
  const budget = { requestsPer20s: graph.requestsPer20s, writesPer20s: graph.writesPer20s };
  return {
    graph: createAutopilotGraph({ baseUrl: graph.baseUrl, tokens, logger, budget }),
    tokens,
    tenantId: graph.tenantId,
    stop: () => Promise.resolve(),
  };
}

/** The real MSAL and Graph client against an emulator, with its throttle window scaled like its clock. */
function emulatorAccess(
  config: Config,
  logger: Logger,
  connection: EmulatorConnection,
): Omit<GraphAccess, 'stop'> {
  const tokens = createMsalTokenProvider({
    tenantId: connection.tenantId,
    clientId: connection.clientId,
    credential: { kind: 'secret', secret: connection.clientSecret },
    authorityHost: connection.authorityHost,
    graphBaseUrl: connection.graphUrl,
    local: localAuthority(connection.authorityHost, connection.tenantId, connection.caCertificate),
  });
  const graph = createAutopilotGraph({
    baseUrl: connection.graphUrl,
    tokens,
    logger,
    budget: {
      requestsPer20s: config.graph.requestsPer20s,
      writesPer20s: config.graph.writesPer20s,
      windowMs: 20_000 * connection.timeScale,
    },
  });
  return { graph, tokens, tenantId: connection.tenantId };
}

export async function openGraphAccess(
  config: Config,
  logger: Logger,
  setup: EmulatorSetup = {},
): Promise<GraphAccess> {
  if (config.graph.target === 'microsoft') return microsoftAccess(config, logger);
  if (config.graph.emulatorUrl) {
    const connection = await fetchEmulatorConnection(config.graph.emulatorUrl);
    logger.info(
      { graphUrl: connection.graphUrl, timeScale: connection.timeScale },
      'using the standalone Graph emulator',
    );
    return { ...emulatorAccess(config, logger, connection), stop: () => Promise.resolve() };
  }
  const emulator = await startGraphEmulator({
    scenario: { ...setup.scenario, timeScale: config.emulatorTimeScale },
    ...(config.pipeline.profileGroupId ? { profileGroupId: config.pipeline.profileGroupId } : {}),
  });
  setup.seed?.(emulator);
  const connection: EmulatorConnection = {
    graphUrl: emulator.graphUrl,
    authorityHost: emulator.authorityHost,
    caCertificate: emulator.caCertificate,
    tenantId: emulator.tenantId,
    clientId: DEMO_APP.clientId,
    clientSecret: DEMO_APP.secret ?? '',
    timeScale: config.emulatorTimeScale,
  };
  logger.info(
    { graphUrl: emulator.graphUrl, timeScale: config.emulatorTimeScale },
    'Graph emulator started for the demo',
  );
  return { ...emulatorAccess(config, logger, connection), emulator, stop: () => emulator.stop() };
}
