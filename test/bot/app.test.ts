import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../bot/app.js';
import { loadConfig } from '../../services/config/config.js';
import { fastDemoEnv } from '../support/app-env.js';
import { approve, submit } from '../../services/domain/transitions.js';
import { silentLogger } from '../support/graph.js';
import { DAY_MS, newJobInput } from '../support/jobs.js';

let app: RunningApp | undefined;
let dir: string | undefined;
afterEach(async () => {
  await app?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  app = undefined;
});

describe('the composed service in demo mode', () => {
  it('answers health, and its worker imports an approved device through the in-process emulator', async () => {
    dir = mkdtempSync(join(tmpdir(), 'aa-app-'));
    const config = {
      ...loadConfig(fastDemoEnv(dir)),
      port: 0,
    };
    app = await startApp(config, silentLogger, { host: '127.0.0.1' });
    const health = await fetch(`${app.url}/api/health`);
    expect(await health.json()).toMatchObject({ status: 'ok', mode: 'demo', store: 'sqlite' });

    const approved = approve(submit(newJobInput(), new Date(), DAY_MS), {
      by: { id: 'aad-1' },
      at: new Date(),
      groupTag: null,
      comment: 'INC-1',
    });
    if (!approved.ok) throw approved.error;
    await app.store.create(approved.value);
    let status = '';
    for (let i = 0; i < 200 && status !== 'completed'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await app.store.get(approved.value.id))?.job.status ?? '';
    }
    expect(status).toBe('completed');
    expect(app.graphAccess.emulator?.log.uploadsBySerial().get(approved.value.device.serialNumber)).toBe(1);
  });
});
