/**
 * Composition root: reads configuration once, builds the services, starts the HTTP server, and stops
 * everything cleanly on SIGINT/SIGTERM.
 */
import { existsSync } from 'node:fs';
import { loadConfig, redactedSummary } from '../services/config/config.js';
import { ConfigError } from '../services/config/config-error.js';
import { describeError } from '../services/errors.js';
import { createLogger } from '../services/logging/logger.js';
import { openJobStore } from '../services/store/open-store.js';
import { createServer, listen } from './server.js';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel });
  logger.info({ config: redactedSummary(config) }, 'configuration loaded');

  const store = await openJobStore(config.store, config.retentionDays);
  const server = createServer({
    logger,
    mode: config.mode,
    storeKind: config.store.kind,
    startedAt: new Date(),
  });
  await listen(server, config.port);
  logger.info({ url: `http://localhost:${config.port}` }, `Autopilot Approvals (${config.mode}) listening`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    server.close();
    await store.close();
    logger.flush();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    const { code, message } = describeError(error);
    process.stderr.write(`Autopilot Approvals failed to start: ${code}: ${message}\n`);
  }
  process.exit(1);
});
