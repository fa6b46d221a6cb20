/**
 * `npm run emulator -- [--graph-port 4000] [--login-port 4001] [--time-scale 0.05] [--no-throttling]`
 * Runs the Graph emulator on its own, for benchmarks and manual exploration. The service's demo mode does not
 * need it: it starts its own emulator in-process.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_APP, startGraphEmulator } from './server.js';

const { values } = parseArgs({
  options: {
    'graph-port': { type: 'string', default: '4000' },
    'login-port': { type: 'string', default: '4001' },
    'time-scale': { type: 'string', default: '0.05' },
    'no-throttling': { type: 'boolean', default: false },
  },
});

const emulator = await startGraphEmulator({
  graphPort: Number(values['graph-port']),
  loginPort: Number(values['login-port']),
  scenario: {
    timeScale: Number(values['time-scale']),
    throttling: { enabled: !values['no-throttling'], writesPer20s: 100, requestsPer20s: 1000 },
  },
});
const caPath = join(tmpdir(), 'graph-emulator-ca.pem');
writeFileSync(caPath, emulator.caCertificate);
process.stdout.write(
  [
    'Graph emulator running',
    `  Graph:      ${emulator.graphUrl}/v1.0 and /beta`,
    `  Authority:  ${emulator.authorityHost}/${emulator.tenantId} (certificate: ${caPath})`,
    `  Client id:  ${DEMO_APP.clientId} (the emulator's built-in test app; its secret is in graph-emulator/server.ts)`,
    `  Time scale: ${values['time-scale']}   Ctrl-C stops it.`,
    '',
  ].join('\n'),
);
process.once('SIGINT', () => void emulator.stop().then(() => process.exit(0)));
process.once('SIGTERM', () => void emulator.stop().then(() => process.exit(0)));
