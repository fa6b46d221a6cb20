/** Wires MSAL, the middleware chain and the SDK client into an AutopilotGraph. */
import { Client } from '@microsoft/microsoft-graph-client';
import type { Logger } from '../logging/logger.js';
import type { AutopilotGraph } from './autopilot-graph.js';
import { GraphAutopilotClient } from './graph-autopilot-client.js';
import { middlewareChain } from './middleware.js';
import { RequestBudget } from './request-budget.js';
import type { TokenProvider } from './token-provider.js';

export interface GraphClientOptions {
  baseUrl: string;
  tokens: TokenProvider;
  logger: Logger;
  budget: { requestsPer20s: number; writesPer20s: number; windowMs?: number };
  timeoutMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
}

export function createAutopilotGraph(options: GraphClientOptions): AutopilotGraph {
  const budget = new RequestBudget({
    requestsPerWindow: options.budget.requestsPer20s,
    writesPerWindow: options.budget.writesPer20s,
    windowMs: options.budget.windowMs ?? 20_000,
  });
  const middleware = middlewareChain(options.tokens, {
    budget,
    logger: options.logger,
    maxAttempts: options.maxAttempts ?? 6,
    timeoutMs: options.timeoutMs ?? 30_000,
    baseDelayMs: options.baseDelayMs ?? 500,
    maxDelayMs: 30_000,
  });
  const client = Client.initWithMiddleware({
    baseUrl: `${options.baseUrl}/`,
    middleware,
    defaultVersion: 'v1.0',
  });
  return new GraphAutopilotClient(client, options.baseUrl);
}
