/** /api/messages reads JSON only, within a limit, before anything else; refusals are one log line. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startApp, type RunningApp } from '../../bot/app.js';
import { MAX_ACTIVITY_BYTES } from '../../bot/bot-routes.js';
import { loadConfig } from '../../services/config/config.js';
import { createLogger } from '../../services/logging/logger.js';
import { startLocalIssuer, type LocalIssuer } from '../support/bot-tokens.js';
import { alice, cardClick, TENANT } from '../support/teams-activities.js';

const APP_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
let app: RunningApp;
let issuer: LocalIssuer;
let dir: string;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aa-messages-'));
  issuer = await startLocalIssuer();
  const config = loadConfig({
    DATA_DIR: dir,
    MICROSOFT_APP_ID: APP_ID,
    MICROSOFT_APP_PASSWORD: 'local-test-password',
    MICROSOFT_APP_TENANT_ID: TENANT,
    BOT_OPENID_METADATA_URL: issuer.metadataUrl,
  });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  app = await startApp({ ...config, port: 0 }, createLogger({ level: 'warn' }, sink), { host: '127.0.0.1' });
});
afterAll(async () => {
  await app.stop();
  await issuer.stop();
  rmSync(dir, { recursive: true, force: true });
});

const post = (body: string, contentType: string, headers: Record<string, string> = {}) =>
  fetch(`${app.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...headers },
    body,
  });

describe('/api/messages', () => {
  it('answers a multipart upload 415 without reading it, and leaves no file behind', async () => {
    const before = new Set(readdirSync(tmpdir()));
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(2 * 1024 * 1024, 7)]), 'big.bin');
    const response = await fetch(`${app.url}/api/messages`, { method: 'POST', body: form });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'unsupported_media_type',
    );
    const added = readdirSync(tmpdir()).filter((name) => !before.has(name) && /^upload_|\.bin$/.test(name));
    expect(added).toEqual([]);
  });

  it('refuses other types (415), a body over the limit (413) and broken JSON (400)', async () => {
    expect((await post('{}', 'text/plain')).status).toBe(415);
    expect(
      (await post(`{"type":"message","text":"${'x'.repeat(MAX_ACTIVITY_BYTES)}"}`, 'application/json'))
        .status,
    ).toBe(413);
    expect((await post('{"type":', 'application/json')).status).toBe(400);
    expect((await post('[1,2]', 'application/json')).status).toBe(400);
  });

  it('logs an unauthenticated request as one warning line, with no stack trace on the console', async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    lines.length = 0;
    const activity = cardClick('http://127.0.0.1:9/', alice, 'approve', { jobId: 'x' });
    const response = await post(JSON.stringify(activity), 'application/json', {
      authorization: 'Bearer forged',
    });
    expect(response.status).toBe(401);
    expect(consoleError).not.toHaveBeenCalled();
    consoleError.mockRestore();
    const refusals = lines.filter((l) => l.msg === 'bot request refused: not authenticated');
    expect(refusals).toHaveLength(1);
    expect(JSON.stringify(refusals[0])).not.toMatch(/\n\s+at /);
  });
});
