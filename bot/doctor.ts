/**
 * `npm run doctor`: with the service's own configuration (the environment and .env), checks what it needs from
 * Microsoft Graph: a token, each application permission (one harmless read each, and the token's roles), and
 * the configured groups. Prints a table; exits 1 when something is missing. In the demo it checks the emulator
 * (GRAPH_EMULATOR_URL, or one started for the check).
 */
import { existsSync } from 'node:fs';
import { loadConfig } from '../services/config/config.js';
import { ConfigError } from '../services/config/config-error.js';
import { formatDoctorReport } from '../services/graph/doctor.js';
import { createLogger } from '../services/logging/logger.js';
import { openGraphAccess } from './graph-access.js';
import { doctorFor } from './graph-checks.js';

async function main(): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  const access = await openGraphAccess(config, createLogger({ level: 'silent' }));
  try {
    const target =
      config.graph.target === 'microsoft'
        ? config.graph.baseUrl
        : (config.graph.emulatorUrl ?? 'the Graph emulator (in-process)');
    process.stdout.write(`Checking ${target} for tenant ${access.tenantId}\n\n`);
    const report = await doctorFor(access, config)();
    process.stdout.write(formatDoctorReport(report));
    return report.ok ? 0 : 1;
  } finally {
    await access.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof ConfigError ? error.message : `doctor failed: ${error instanceof Error ? error.message : String(error)}`}\n`,
    );
    process.exit(2);
  },
);
