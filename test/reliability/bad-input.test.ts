/**
 * Bad input against the started service (its own process, bot authentication on): the malformed intake corpus
 * and forged Bot Framework tokens. Every request is refused with its status and code, nothing is stored, and the
 * process keeps serving.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphEmulator, type RunningGraphEmulator } from '../../graph-emulator/server.js';
import { SqliteJobStore } from '../../services/store/sqlite/sqlite-job-store.js';
import { listAll } from '../../services/store/list-all.js';
import { startLocalIssuer, type LocalIssuer } from '../support/bot-tokens.js';
import { TEST_KEY } from '../support/intake-server.js';
import { MALFORMED_CASES, validSubmission } from '../support/malformed-corpus.js';
import { FAST_WORKER, graphFor } from '../support/reliability.js';
import { startServiceChild, type ServiceChild } from '../support/service-child.js';
import { alice, cardClick, TENANT } from '../support/teams-activities.js';

const APP_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3302';
const SERVICE_URL = 'http://127.0.0.1:9/';
let emulator: RunningGraphEmulator;
let issuer: LocalIssuer;
let service: ServiceChild;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aa-bad-input-'));
  emulator = await startGraphEmulator({ host: '127.0.0.1', scenario: { timeScale: 0.002 } });
  issuer = await startLocalIssuer();
  service = await startServiceChild({
    env: {
      DATA_DIR: dir,
      INTAKE_KEYS: `deploy-tool:${TEST_KEY}`,
      MICROSOFT_APP_ID: APP_ID,
      MICROSOFT_APP_PASSWORD: 'local-test-password',
      MICROSOFT_APP_TENANT_ID: TENANT,
      BOT_OPENID_METADATA_URL: issuer.metadataUrl,
      ...FAST_WORKER,
    },
    graph: graphFor(emulator),
  });
});
afterAll(async () => {
  await service?.kill();
  await issuer?.stop();
  await emulator?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const now = () => Math.floor(Date.now() / 1000);
const claims = (overrides: Record<string, unknown> = {}) => ({
  iss: 'https://api.botframework.com',
  aud: APP_ID,
  nbf: now() - 60,
  exp: now() + 3600,
  serviceurl: SERVICE_URL,
  ...overrides,
});
const unsigned = (payload: object) =>
  `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;

describe('bad input against the started service', () => {
  it.each(MALFORMED_CASES)('refuses $name with $status $code', async (c) => {
    const key = c.key === undefined ? TEST_KEY : c.key;
    const response = await fetch(`${service.url}${c.path ?? '/api/submissions'}`, {
      method: c.method ?? 'POST',
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(c.body !== undefined ? { 'content-type': c.contentType ?? 'application/json' } : {}),
        ...c.headers,
      },
      ...(c.body === undefined ? {} : { body: c.body }),
    });
    const text = await response.text();
    expect(response.status).toBe(c.status);
    const body = JSON.parse(text) as { error: { code: string; field?: string } };
    expect(body.error.code).toBe(c.code);
    if (c.field) expect(body.error.field).toBe(c.field);
    expect(text).not.toMatch(/[A-Za-z0-9+/]{200,}/);
  });

  it.each([
    ['no token', () => undefined],
    ['a forged signature', () => issuer.token(claims(), { forged: true })],
    ['an unsigned token (alg none)', () => unsigned(claims())],
    ['an expired token', () => issuer.token(claims({ nbf: now() - 7200, exp: now() - 3600 }))],
    ['another audience', () => issuer.token(claims({ aud: '00000000-0000-4000-8000-000000000000' }))],
    ['another issuer', () => issuer.token(claims({ iss: 'https://evil.example' }))],
    ['a token for another service URL', () => issuer.token(claims({ serviceurl: 'http://127.0.0.1:10/' }))],
    ['garbage', () => 'not.a.token'],
  ])('refuses a card click with %s: 401', async (_name, token) => {
    const value = token();
    const response = await fetch(`${service.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(value ? { authorization: `Bearer ${value}` } : {}) },
      body: JSON.stringify(cardClick(SERVICE_URL, alice, 'approve', { jobId: 'no-such-job' })),
    });
    expect(response.status).toBe(401);
  });

  it('stored nothing, did not crash, and still serves', async () => {
    expect(service.process.exitCode).toBeNull();
    const store = new SqliteJobStore(join(dir, 'autopilot-approvals.db'));
    try {
      expect(await listAll(store, {})).toEqual([]);
    } finally {
      await store.close();
    }
    const health = await fetch(`${service.url}/api/health`);
    expect(health.status).toBe(200);
    const ok = await fetch(`${service.url}/api/submissions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(validSubmission()),
    });
    expect(ok.status).toBe(202);
  });
});
