import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig, redactedSummary } from '../../../services/config/config.js';
import { ConfigError } from '../../../services/config/config-error.js';
import { CONFIG_KEYS } from '../../../services/config/schema.js';

const TENANT = '11111111-2222-3333-4444-555555555555';
const CLIENT = '66666666-7777-8888-9999-000000000000';
/** A production configuration with secrets for Graph and the bot, on Cosmos DB. */
const PRODUCTION = {
  AZURE_TENANT_ID: TENANT,
  AZURE_CLIENT_ID: CLIENT,
  AZURE_CLIENT_SECRET: 's3cret-value',
  MICROSOFT_APP_ID: CLIENT,
  MICROSOFT_APP_PASSWORD: 'bot-secret-value',
  STORE: 'cosmos',
};

function problemsOf(env: Record<string, string>): { key: string; problem: string }[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the demo with no settings at all: SQLite under ./data, the Graph emulator, port 3978', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('demo');
    expect(config.port).toBe(3978);
    expect(config.store).toMatchObject({ kind: 'sqlite' });
    expect(config.store.kind === 'sqlite' && config.store.path).toMatch(/data\/autopilot-approvals\.db$/);
    expect(config.graph.target).toBe('emulator');
    expect(config.pipeline.deadlinesMs).toEqual({
      import: 1_800_000,
      autopilotDevice: 3_600_000,
      entraDevice: 3_600_000,
      profile: 7_200_000,
    });
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ PORT: '', STORE: ' ' }).port).toBe(3978);
  });

  it('names every offending key in one error, parse and cross-field problems together', () => {
    const problems = problemsOf({
      PORT: 'abc',
      LOG_LEVEL: 'loud',
      STORE: 'cosmos',
      AZURE_TENANT_ID: TENANT,
      PROFILE_GROUP_ID: 'nope',
    });
    expect(problems.map((p) => p.key).sort()).toEqual(
      [
        'AZURE_CLIENT_ID',
        'AZURE_CLIENT_SECRET',
        'COSMOS_ENDPOINT',
        'LOG_LEVEL',
        'MICROSOFT_APP_ID',
        'MICROSOFT_APP_PASSWORD',
        'PORT',
        'PROFILE_GROUP_ID',
      ].sort(),
    );
    expect(problems.find((p) => p.key === 'PORT')?.problem).toBe('must be a number');
    expect(problems.find((p) => p.key === 'PROFILE_GROUP_ID')?.problem).toBe('must be a GUID');
  });

  it('puts every problem in the message, one line each', () => {
    expect(() => loadConfig({ PORT: '70000', WORKER_BATCH_SIZE: '0' })).toThrowError(
      /PORT: must be 1 to 65535\n\s+- WORKER_BATCH_SIZE: must be greater than 0/,
    );
  });

  it('switches to production with a tenant and app credentials, and Cosmos when asked', () => {
    const config = loadConfig({
      ...PRODUCTION,
      COSMOS_ENDPOINT: 'https://acct.documents.azure.com:443/',
      APPROVER_GROUP_IDS: ' a , b ,,',
    });
    expect(config.mode).toBe('production');
    expect(config.graph).toMatchObject({
      target: 'microsoft',
      tenantId: TENANT,
      credential: { kind: 'secret' },
    });
    expect(config.store).toEqual({
      kind: 'cosmos',
      endpoint: 'https://acct.documents.azure.com:443',
      databaseId: 'autopilot-approvals',
      containerId: 'jobs',
      maxRetryWaitSeconds: 24,
    });
    expect(config.approvals.approverGroupIds).toEqual(['a', 'b']);
  });

  it("takes the Cosmos DB container's throughput, manual or autoscale, and not both", () => {
    const cosmos = { ...PRODUCTION, COSMOS_ENDPOINT: 'https://acct.documents.azure.com' };
    expect(loadConfig({ ...cosmos, COSMOS_AUTOSCALE_MAX_THROUGHPUT: '4000' }).store).toMatchObject({
      throughput: { kind: 'autoscale', maxRu: 4000 },
    });
    expect(
      loadConfig({ ...cosmos, COSMOS_THROUGHPUT: '400', WORKER_LEASE_SECONDS: '30' }).store,
    ).toMatchObject({
      throughput: { kind: 'manual', ru: 400 },
      maxRetryWaitSeconds: 6,
    });
    expect(
      problemsOf({ ...cosmos, COSMOS_THROUGHPUT: '400', COSMOS_AUTOSCALE_MAX_THROUGHPUT: '4000' }).map(
        (p) => p.key,
      ),
    ).toContain('COSMOS_THROUGHPUT');
    expect(problemsOf({ ...cosmos, COSMOS_AUTOSCALE_MAX_THROUGHPUT: '1500' })).toContainEqual({
      key: 'COSMOS_AUTOSCALE_MAX_THROUGHPUT',
      problem: 'must be a multiple of 1000 RU/s',
    });
    expect(problemsOf({ ...cosmos, COSMOS_THROUGHPUT: '100' })).toContainEqual({
      key: 'COSMOS_THROUGHPUT',
      problem: 'must be at least 400 RU/s',
    });
  });

  it('takes a standalone emulator for the demo only', () => {
    expect(loadConfig({ GRAPH_EMULATOR_URL: 'http://127.0.0.1:4000/' }).graph).toMatchObject({
      target: 'emulator',
      emulatorUrl: 'http://127.0.0.1:4000',
    });
    const production = { ...PRODUCTION, COSMOS_ENDPOINT: 'https://acct.documents.azure.com' };
    expect(
      problemsOf({ ...production, GRAPH_EMULATOR_URL: 'http://127.0.0.1:4000' }).map((p) => p.key),
    ).toEqual(['GRAPH_EMULATOR_URL']);
  });

  it('never starts the demo by accident: any production setting means production, which names what it lacks', () => {
    // The tenant id forgotten (or misspelt) beside the app registration: production, refused, not the demo.
    const problems = problemsOf({
      AZURE_CLIENT_ID: CLIENT,
      AZURE_CLIENT_SECRET: 'x',
      AZURE_TENANTID: TENANT,
    });
    expect(problems.map((p) => p.key).sort()).toEqual(
      ['AZURE_TENANTID', 'AZURE_TENANT_ID', 'MICROSOFT_APP_ID', 'MICROSOFT_APP_PASSWORD'].sort(),
    );
    expect(problems.find((p) => p.key === 'AZURE_TENANTID')?.problem).toBe(
      'is not a setting; did you mean AZURE_TENANT_ID?',
    );
    // A Cosmos DB account that is not on this machine is production too.
    expect(problemsOf({ COSMOS_ENDPOINT: 'https://acct.documents.azure.com', STORE: 'cosmos' }).length).toBe(
      5,
    );
    // Other programs' settings are left alone, however close to ours.
    expect(loadConfig({ HOSTNAME: 'box', PATH: '/bin', npm_config_cache: '/tmp', PORTS: '1' }).mode).toBe(
      'demo',
    );
  });

  it('refuses production settings with MODE=demo, naming each; a local Cosmos DB server is fine', () => {
    const problems = problemsOf({
      MODE: 'demo',
      AZURE_TENANT_ID: TENANT,
      COSMOS_ENDPOINT: 'https://acct.documents.azure.com',
    });
    expect(problems.map((p) => p.key).sort()).toEqual(['AZURE_TENANT_ID', 'COSMOS_ENDPOINT']);
    expect(problems[0]?.problem).toMatch(/production setting, refused with MODE=demo/);
    const local = loadConfig({ MODE: 'demo', STORE: 'cosmos', COSMOS_ENDPOINT: 'https://127.0.0.1:8081' });
    expect([local.mode, local.graph.target]).toEqual(['demo', 'emulator']);
    expect(problemsOf({ MODE: 'staging' })).toEqual([{ key: 'MODE', problem: 'must be demo or production' }]);
    // MODE=production with nothing else names everything production needs.
    expect(
      problemsOf({ MODE: 'production' })
        .map((p) => p.key)
        .sort(),
    ).toEqual(
      [
        'AZURE_CLIENT_ID',
        'AZURE_CLIENT_SECRET',
        'AZURE_TENANT_ID',
        'MICROSOFT_APP_ID',
        'MICROSOFT_APP_PASSWORD',
      ].sort(),
    );
  });

  it('logs a summary with no secret in it', () => {
    const config = loadConfig({
      ...PRODUCTION,
      COSMOS_ENDPOINT: 'https://acct.documents.azure.com',
      COSMOS_KEY: 'cosmos-key-value',
    });
    const text = JSON.stringify(redactedSummary(config));
    expect(text).not.toContain('s3cret-value');
    expect(text).not.toContain('cosmos-key-value');
    expect(text).not.toContain('bot-secret-value');
    expect(text).toContain('(set)');
  });
});

describe('.env.sample', () => {
  it('documents every setting with a comment, and nothing else', () => {
    const lines = readFileSync('.env.sample', 'utf8').split('\n');
    const keys = lines.map((l) => /^#?\s*([A-Z][A-Z0-9_]+)=/.exec(l)?.[1]).filter((k): k is string => !!k);
    expect(keys.sort()).toEqual([...CONFIG_KEYS].sort());
    for (const key of keys) {
      const index = lines.findIndex((l) => new RegExp(`^#?\\s*${key}=`).test(l));
      expect(lines[index - 1], `comment above ${key}`).toMatch(/^# \S/);
    }
  });

  it('is a valid configuration as it stands', () => {
    const env = Object.fromEntries(
      readFileSync('.env.sample', 'utf8')
        .split('\n')
        .filter((l) => /^[A-Z]/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(loadConfig(env).mode).toBe('demo');
  });
});
