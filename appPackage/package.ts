/**
 * `npm run package`: writes appPackage/build/appPackage.zip for upload to Teams, with the bot id from
 * MICROSOFT_APP_ID, the app id from TEAMS_APP_ID (defaults to the bot id) and the manifest version from
 * APP_VERSION (defaults to package.json's), after validating the manifest against the official schema.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAppPackage, buildManifest, SEMVER } from './build-package.js';
import { validateManifest } from './validate-manifest.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const botId = (process.env.MICROSOFT_APP_ID ?? '').trim();
const teamsAppId = (process.env.TEAMS_APP_ID ?? '').trim() || botId;
const packageVersion = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const version = (process.env.APP_VERSION ?? '').trim() || packageVersion;
const problems = [
  ...(SEMVER.test(version) ? [] : ['APP_VERSION: must be a version such as 1.4.0']),
  ...(GUID.test(botId) ? [] : ["MICROSOFT_APP_ID: must be the bot registration's app id (a GUID)"]),
  ...(GUID.test(teamsAppId) ? [] : ['TEAMS_APP_ID: must be a GUID']),
];
if (problems.length) {
  process.stderr.write(`Cannot build the app package:\n  - ${problems.join('\n  - ')}\n`);
  process.exit(1);
}
const ids = { botId, teamsAppId, version };
const invalid = await validateManifest(buildManifest(ids));
if (invalid.length) {
  process.stderr.write(`The manifest does not match the official schema:\n  - ${invalid.join('\n  - ')}\n`);
  process.exit(1);
}
const out = join(dirname(fileURLToPath(import.meta.url)), 'build', 'appPackage.zip');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, buildAppPackage(ids));
process.stdout.write(`Manifest version ${version}\n`);
process.stdout.write(`Wrote ${out}\n`);
