/**
 * Graph access for the configured target: Microsoft Graph with the app registration, or, in the demo, the
 * Graph emulator started in-process with a realistic scenario at demo speed.
 */
import type { Config } from '../services/config/config.js';
import type { AutopilotGraph } from '../services/graph/autopilot-graph.js';
import { createAutopilotGraph } from '../services/graph/create-graph.js';
import { localAuthority } from '../services/graph/local-authority.js';
import { createMsalTokenProvider, type TokenProvider } from '../services/graph/token-provider.js';
import type { Logger } from '../services/logging/logger.js';
import { DEMO_APP, startGraphEmulator, type RunningGraphEmulator } from '../graph-emulator/server.js';
import type { Scenario } from '../graph-emulator/scenario.js';

export interface GraphAccess {
  graph: AutopilotGraph;
  tenantId: string;
  emulator?: RunningGraphEmulator;
  stop(): Promise<void>;
}

function microsoftTokens(config: Config): TokenProvider {
  const { graph } = config;
  if (!graph.tenantId || !graph.clientId || !graph.credential)
    throw new Error('Graph credentials are missing from the configuration.');
  return createMsalTokenProvider({
    tenantId: graph.tenantId,
    clientId: graph.clientId,
    credential: graph.credential,
    authorityHost: graph.authorityHost,
  });
}

/** What the demo asks of its emulator: a scenario, and records to seed (an already registered device). */
export interface EmulatorSetup {
  scenario?: Partial<Scenario>;
  seed?(emulator: RunningGraphEmulator): void;
}

export async function openGraphAccess(
  config: Config,
  logger: Logger,
  setup: EmulatorSetup = {},
): Promise<GraphAccess> {
  const budget = { requestsPer20s: config.graph.requestsPer20s, writesPer20s: config.graph.writesPer20s };
  if (config.graph.target === 'microsoft') {
    const graph = createAutopilotGraph({
      baseUrl: config.graph.baseUrl,
      tokens: microsoftTokens(config),
      logger,
      budget,
    });
    return { graph, tenantId: config.graph.tenantId ?? '', stop: () => Promise.resolve() };
  }
  const emulator = await startGraphEmulator({
    scenario: { ...setup.scenario, timeScale: config.emulatorTimeScale },
    ...(config.pipeline.profileGroupId ? { profileGroupId: config.pipeline.profileGroupId } : {}),
  });
  setup.seed?.(emulator);
  const tokens = createMsalTokenProvider({
    tenantId: emulator.tenantId,
    clientId: DEMO_APP.clientId,
    credential: { kind: 'secret', secret: DEMO_APP.secret ?? '' },
    authorityHost: emulator.authorityHost,
    local: localAuthority(emulator.authorityHost, emulator.tenantId, emulator.caCertificate),
  });
  // The emulator's throttle window is scaled with its clock; so is the client's budget.
  const graph = createAutopilotGraph({
    baseUrl: emulator.graphUrl,
    tokens,
    logger,
    budget: { ...budget, windowMs: 20_000 * config.emulatorTimeScale },
  });
  logger.info(
    { graphUrl: emulator.graphUrl, timeScale: config.emulatorTimeScale },
    'Graph emulator started for the demo',
  );
  return { graph, tenantId: emulator.tenantId, emulator, stop: () => emulator.stop() };
}
