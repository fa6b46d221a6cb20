/**
 * Composition root: reads configuration once, starts the service, and stops everything cleanly on
 * SIGINT/SIGTERM. With no configuration it runs the demo (SQLite under ./data, Graph emulator in-process).
 */
// First, before restify loads: see quiet-deprecations.ts.
import './quiet-deprecations.js';
import { existsSync } from 'node:fs';
import { loadConfig, redactedSummary } from '../services/config/config.js';
import { ConfigError } from '../services/config/config-error.js';
import { describeError } from '../services/errors.js';
import { createLogger, prettyDestination } from '../services/logging/logger.js';
import { startApp } from './app.js';
import { startDemo } from './demo.js';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  // The demo is read by a person: readable lines. Production keeps JSON lines for the log pipeline.
  const logger = createLogger(
    { level: config.logLevel },
    config.mode === 'demo' ? prettyDestination() : undefined,
  );
  logger.info({ config: redactedSummary(config) }, 'configuration loaded');
  // The demo runs with mock approvers and, without a bot registration, no bot authentication: loopback only.
  const demo = config.mode === 'demo' ? await startDemo(config, logger, { host: '127.0.0.1' }) : undefined;
  const app = demo?.app ?? (await startApp(config, logger));
  logger.info(
    { url: app.url, health: `${app.url}/api/health` },
    `Autopilot Approvals (${config.mode}) listening`,
  );
  if (app.demoKey) process.stdout.write(demoBanner(app.url, app.demoKey, demo?.playground?.url));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await (demo ?? app).stop();
    logger.flush();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

/** What a newcomer needs to try the demo. The key is the demo's own, made for this data folder. */
function demoBanner(url: string, key: string, playgroundUrl: string | undefined): string {
  return [
    '',
    'Autopilot Approvals demo is running.',
    ...(playgroundUrl
      ? [
          `  Teams (Agents Playground): ${playgroundUrl.replace('127.0.0.1', 'localhost')}  - open "My Team", channel General`,
        ]
      : []),
    `  Intake API:  ${url}/api/submissions   (OpenAPI: ${url}/api/openapi.json)`,
    `  Intake key:  ${key}`,
    `  Try:         npm run submit -- --server ${url} --key ${key} --sample`,
    '',
  ].join('\n');
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
