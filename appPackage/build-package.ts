/** Builds the Teams app package: the manifest with this deployment's ids, and the two icons. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zip } from './zip.js';

const HERE = dirname(fileURLToPath(import.meta.url));

export interface PackageIds {
  botId: string;
  teamsAppId: string;
  /** The manifest `version` (semver); Teams needs a higher one for every upload of a changed app. */
  version: string;
}

export const SEMVER = /^\d+\.\d+\.\d+$/;

export function buildManifest(ids: PackageIds): Record<string, unknown> {
  const template = readFileSync(join(HERE, 'manifest.template.json'), 'utf8');
  return JSON.parse(
    template
      .replaceAll('{{BOT_ID}}', ids.botId)
      .replaceAll('{{TEAMS_APP_ID}}', ids.teamsAppId)
      .replaceAll('{{VERSION}}', ids.version),
  ) as Record<string, unknown>;
}

export function buildAppPackage(ids: PackageIds): Buffer {
  return zip([
    { name: 'manifest.json', data: Buffer.from(JSON.stringify(buildManifest(ids), null, 2)) },
    { name: 'color.png', data: readFileSync(join(HERE, 'color.png')) },
    { name: 'outline.png', data: readFileSync(join(HERE, 'outline.png')) },
  ]);
}
