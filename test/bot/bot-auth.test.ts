/** Real Bot Framework token validation by the CloudAdapter, against keys served on loopback. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../bot/app.js';
import { loadConfig } from '../../services/config/config.js';
import { startLocalIssuer, type LocalIssuer } from '../support/bot-tokens.js';
import { silentLogger } from '../support/graph.js';
import { alice, cardClick, TENANT } from '../support/teams-activities.js';

const APP_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const SERVICE_URL = 'http://127.0.0.1:9/';
let app: RunningApp;
let issuer: LocalIssuer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aa-botauth-'));
  issuer = await startLocalIssuer();
  const config = loadConfig({
    DATA_DIR: dir,
    MICROSOFT_APP_ID: APP_ID,
    MICROSOFT_APP_PASSWORD: 'local-test-password',
    MICROSOFT_APP_TENANT_ID: TENANT,
    BOT_OPENID_METADATA_URL: issuer.metadataUrl,
  });
  app = await startApp({ ...config, port: 0 }, silentLogger, { host: '127.0.0.1' });
});
afterAll(async () => {
  await app.stop();
  await issuer.stop();
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

async function send(token: string | undefined): Promise<{ status: number; body: any }> {
  // Real tokens carry the service URL in a lower-case "serviceurl" claim.
  // A click on a job that does not exist: the answer comes back in the HTTP response, no connector call needed.
  const activity = cardClick(SERVICE_URL, alice, 'approve', { jobId: 'no-such-job' });
  const response = await fetch(`${app.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(activity),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

describe('bot authentication', () => {
  it('accepts a token signed by the published key, for this app and service URL', async () => {
    const reply = await send(issuer.token(claims()));
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      type: 'application/vnd.microsoft.activity.message',
      value: 'This request no longer exists.',
    });
  });

  it.each([
    ['no token', undefined],
    ['a forged signature', 'forged'],
    ['an expired token', 'expired'],
    ['another audience', 'audience'],
    ['another issuer', 'issuer'],
    ['a token for another service URL', 'serviceUrl'],
  ])('refuses %s with 401', async (_name, kind) => {
    const token =
      kind === undefined
        ? undefined
        : kind === 'forged'
          ? issuer.token(claims(), { forged: true })
          : kind === 'expired'
            ? issuer.token(claims({ nbf: now() - 7200, exp: now() - 3600 }))
            : kind === 'audience'
              ? issuer.token(claims({ aud: '00000000-0000-4000-8000-000000000000' }))
              : kind === 'issuer'
                ? issuer.token(claims({ iss: 'https://evil.example' }))
                : issuer.token(claims({ serviceurl: 'http://127.0.0.1:10/' }));
    expect((await send(token)).status).toBe(401);
  });
});
