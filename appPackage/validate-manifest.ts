/**
 * Validates a Teams app manifest offline against the official schema of its `manifestVersion`, as shipped by
 * Microsoft's `@microsoft/app-manifest` package (`ManifestUtil.validateManifestAgainstSchema`; its
 * `validateManifest` would download the schema instead).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ManifestUtil, type TeamsAppManifest } from '@microsoft/app-manifest';

const require = createRequire(import.meta.url);
const PACKAGE_ROOT = dirname(require.resolve('@microsoft/app-manifest/package.json'));

/** The official schema of a manifest version, e.g. `1.22`. */
export function officialSchema(manifestVersion: string): object {
  if (!/^(\d+\.\d+|devPreview)$/.test(manifestVersion))
    throw new Error(`Not a manifest version: ${manifestVersion}`);
  const path = join(
    PACKAGE_ROOT,
    'build',
    'json-schemas',
    'teams',
    `v${manifestVersion}`,
    'MicrosoftTeams.schema.json',
  );
  return JSON.parse(readFileSync(path, 'utf8')) as object;
}

/** Every schema violation, one line each; empty when the manifest is valid. */
export async function validateManifest(manifest: Record<string, unknown>): Promise<string[]> {
  const version = typeof manifest.manifestVersion === 'string' ? manifest.manifestVersion : '';
  if (!version) return ['manifestVersion is missing'];
  return ManifestUtil.validateManifestAgainstSchema(
    manifest as unknown as TeamsAppManifest,
    officialSchema(version) as Parameters<typeof ManifestUtil.validateManifestAgainstSchema>[1],
  );
}
