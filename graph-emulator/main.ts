/**
 * `npm run emulator -- [--graph-port 4000] [--login-port 4001] [--time-scale 0.05] [--no-throttling]
 *   [--profile-group <id>] [--group <id>]… [--dynamic-group <id>]… [--approver <userObjectId>:<groupId>]…
 *   [--without-permission <name>]…`
 * Runs the Graph emulator on its own, with the demo's tenant, for rehearsals (`GRAPH_EMULATOR_URL=<its Graph URL>
 * npm start` and `npm run doctor`), benchmarks and manual exploration.
 */
import { parseArgs } from 'node:util';
import { DEMO_SCENARIO, seedDemoWorld } from './demo-world.js';
import { DEFAULT_GRANTED_PERMISSIONS } from './permissions.js';
import { DEMO_APP, startGraphEmulator } from './server.js';

const { values } = parseArgs({
  options: {
    'graph-port': { type: 'string', default: '4000' },
    'login-port': { type: 'string', default: '4001' },
    'time-scale': { type: 'string', default: '0.05' },
    'no-throttling': { type: 'boolean', default: false },
    'profile-group': { type: 'string' },
    group: { type: 'string', multiple: true, default: [] },
    'dynamic-group': { type: 'string', multiple: true, default: [] },
    approver: { type: 'string', multiple: true, default: [] },
    'without-permission': { type: 'string', multiple: true, default: [] },
  },
});

const withheld = values['without-permission'];
const emulator = await startGraphEmulator({
  graphPort: Number(values['graph-port']),
  loginPort: Number(values['login-port']),
  ...(values['profile-group'] ? { profileGroupId: values['profile-group'] } : {}),
  scenario: {
    ...DEMO_SCENARIO,
    timeScale: Number(values['time-scale']),
    throttling: {
      enabled: !values['no-throttling'],
      writesPer20s: 100,
      requestsPer20s: 1000,
      retryAfterOmittedRate: 0.2,
    },
    grantedPermissions: DEFAULT_GRANTED_PERMISSIONS.filter((p) => !withheld.includes(p)),
  },
});
seedDemoWorld(emulator.tenant);
for (const id of values.group) emulator.tenant.addGroup(id);
for (const id of values['dynamic-group']) emulator.tenant.addGroup(id, { dynamic: true });
for (const pair of values.approver) {
  const [user, group] = pair.split(':');
  if (user && group)
    emulator.tenant.addUserToGroups(user, [...(emulator.tenant.userGroups.get(user) ?? []), group]);
}
process.stdout.write(
  [
    'Graph emulator running',
    `  Graph:      ${emulator.graphUrl}/v1.0 and /beta`,
    `  Authority:  ${emulator.authorityHost}/${emulator.tenantId}`,
    `  Client id:  ${DEMO_APP.clientId} (the emulator's built-in test app)`,
    `  Time scale: ${values['time-scale']}${withheld.length ? `   Withheld permissions: ${withheld.join(', ')}` : ''}`,
    '',
    `  Rehearse:   GRAPH_EMULATOR_URL=${emulator.graphUrl} npm start   (or npm run doctor)`,
    '  Ctrl-C stops it.',
    '',
  ].join('\n'),
);
process.once('SIGINT', () => void emulator.stop().then(() => process.exit(0)));
process.once('SIGTERM', () => void emulator.stop().then(() => process.exit(0)));
