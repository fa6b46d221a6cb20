/**
 * Demo or production, said out loud. `MODE=demo|production`; without it the service runs the demo only when no
 * production setting is present at all, so a missing or misspelt tenant id can no longer start the demo (the
 * Graph emulator, sample devices, a generated intake key) beside a real Cosmos DB account or app registration.
 * Production settings under MODE=demo, and a production mode without what it needs, stop start-up with every
 * problem named.
 */
import type { ConfigProblem } from './config-error.js';

export type Mode = 'demo' | 'production';
type Env = Record<string, string | undefined>;

/** Settings that only make sense against a real tenant, Entra app or Cosmos DB account. */
const PRODUCTION_SETTINGS = [
  'AZURE_TENANT_ID',
  'AZURE_CLIENT_ID',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PATH',
] as const;

const has = (env: Env, key: string) => (env[key] ?? '').trim() !== '';

/** A Cosmos DB endpoint on this machine is the local server (tests, rehearsals); any other is an account. */
function isRemoteCosmos(env: Env): boolean {
  if (!has(env, 'COSMOS_ENDPOINT')) return false;
  try {
    const host = new URL(env.COSMOS_ENDPOINT ?? '').hostname.replace(/^\[|\]$/g, '');
    return !['localhost', '127.0.0.1', '::1'].includes(host);
  } catch {
    return false; // the schema reports a malformed URL
  }
}

function productionSettingsIn(env: Env): string[] {
  return [
    ...PRODUCTION_SETTINGS.filter((key) => has(env, key)),
    ...(isRemoteCosmos(env) ? ['COSMOS_ENDPOINT'] : []),
  ];
}

/** The mode, and what is wrong with the settings for it (a MODE other than the two is the schema's to report). */
export function resolveMode(env: Env): { mode: Mode; problems: ConfigProblem[] } {
  const asked = (env.MODE ?? '').trim();
  const present = productionSettingsIn(env);
  if (asked !== '' && asked !== 'demo' && asked !== 'production') return { mode: 'demo', problems: [] };
  const mode: Mode = asked === 'demo' || (asked === '' && present.length === 0) ? 'demo' : 'production';
  if (mode === 'demo')
    return {
      mode,
      problems:
        asked === 'demo'
          ? present.map((key) => ({
              key,
              problem:
                'is a production setting, refused with MODE=demo (the demo uses the Graph emulator and writes sample devices): unset it, or set MODE=production',
            }))
          : [],
    };
  return { mode, problems: productionProblems(env) };
}

/** What production cannot run without. */
function productionProblems(env: Env): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const need = (key: string, problem: string) => {
    if (!has(env, key)) problems.push({ key, problem });
  };
  need('AZURE_TENANT_ID', 'is required in production (the tenant whose Autopilot devices are managed)');
  need('AZURE_CLIENT_ID', 'is required in production (the app registration that calls Graph)');
  if (!has(env, 'AZURE_CLIENT_SECRET') && !has(env, 'AZURE_CLIENT_CERTIFICATE_PATH'))
    problems.push({
      key: 'AZURE_CLIENT_SECRET',
      problem: 'or AZURE_CLIENT_CERTIFICATE_PATH is required in production',
    });
  // The bot must authenticate its callers; an empty app id would switch that off.
  need('MICROSOFT_APP_ID', 'is required in production (bot authentication cannot be off)');
  if (!has(env, 'MICROSOFT_APP_PASSWORD') && (env.MICROSOFT_APP_TYPE ?? 'SingleTenant') !== 'UserAssignedMSI')
    problems.push({
      key: 'MICROSOFT_APP_PASSWORD',
      problem: 'is required in production unless MICROSOFT_APP_TYPE=UserAssignedMSI',
    });
  if (has(env, 'GRAPH_EMULATOR_URL'))
    problems.push({
      key: 'GRAPH_EMULATOR_URL',
      problem: 'is for the demo only; production talks to Microsoft Graph',
    });
  return problems;
}

/** Levenshtein distance, small strings only. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/**
 * A setting that is one or two letters from one this service reads is almost surely a typo of it
 * (`AZURE_TENANTID`): named, with the key it was probably meant to be. Only keys that start like one of ours
 * are compared; anything further off is someone else's (the environment holds every other program's too).
 */
export function misspeltSettings(env: Env, known: readonly string[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const prefix = (key: string) => key.slice(0, key.indexOf('_'));
  for (const key of Object.keys(env)) {
    if (known.includes(key) || !has(env, key) || !key.includes('_') || key.length < 8) continue;
    const near = known.find(
      (k) => prefix(k) === prefix(key) && Math.abs(k.length - key.length) <= 2 && distance(k, key) <= 2,
    );
    if (near) problems.push({ key, problem: `is not a setting; did you mean ${near}?` });
  }
  return problems;
}
