import { createLogger } from '../../services/logging/logger.js';
import type { AutopilotGraph } from '../../services/graph/autopilot-graph.js';
import { createAutopilotGraph } from '../../services/graph/create-graph.js';
import { localAuthority } from '../../services/graph/local-authority.js';
import { createMsalTokenProvider, type TokenProvider } from '../../services/graph/token-provider.js';
import {
  DEMO_APP,
  startGraphEmulator,
  type GraphEmulatorOptions,
  type RunningGraphEmulator,
} from '../../graph-emulator/server.js';

export const silentLogger = createLogger({ level: 'silent' });

export function emulatorTokens(
  emulator: RunningGraphEmulator,
  secret = DEMO_APP.secret ?? '',
): TokenProvider {
  return createMsalTokenProvider({
    tenantId: emulator.tenantId,
    clientId: DEMO_APP.clientId,
    credential: { kind: 'secret', secret },
    authorityHost: emulator.authorityHost,
    graphBaseUrl: emulator.graphUrl,
    local: localAuthority(emulator.authorityHost, emulator.tenantId, emulator.caCertificate),
  });
}

export interface GraphFixture {
  emulator: RunningGraphEmulator;
  graph: AutopilotGraph;
  stop(): Promise<void>;
}

/** The emulator on loopback with the real MSAL and Graph SDK pointed at it. */
export async function startGraphFixture(
  options: GraphEmulatorOptions = {},
  budget = { requestsPer20s: 900, writesPer20s: 90 },
): Promise<GraphFixture> {
  const emulator = await startGraphEmulator(options);
  const graph = createAutopilotGraph({
    baseUrl: emulator.graphUrl,
    tokens: emulatorTokens(emulator),
    logger: silentLogger,
    budget: { ...budget, windowMs: 20_000 * emulator.scenario.timeScale },
    baseDelayMs: 20,
  });
  return { emulator, graph, stop: () => emulator.stop() };
}
