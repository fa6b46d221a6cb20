/**
 * `npm run package`: writes appPackage/build/appPackage.zip for upload to Teams, with the bot id from
 * MICROSOFT_APP_ID and the app id from TEAMS_APP_ID (defaults to the bot id).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAppPackage } from './build-package.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const botId = (process.env.MICROSOFT_APP_ID ?? '').trim();
const teamsAppId = (process.env.TEAMS_APP_ID ?? '').trim() || botId;
const problems = [
  ...(GUID.test(botId) ? [] : ["MICROSOFT_APP_ID: must be the bot registration's app id (a GUID)"]),
  ...(GUID.test(teamsAppId) ? [] : ['TEAMS_APP_ID: must be a GUID']),
];
if (problems.length) {
  process.stderr.write(`Cannot build the app package:\n  - ${problems.join('\n  - ')}\n`);
  process.exit(1);
}
const out = join(dirname(fileURLToPath(import.meta.url)), 'build', 'appPackage.zip');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, buildAppPackage({ botId, teamsAppId }));
process.stdout.write(`Wrote ${out}\n`);
