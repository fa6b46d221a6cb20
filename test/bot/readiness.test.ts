/**
 * Readiness apart from liveness, through the started service on Cosmos DB (`@vercel/cosmosdb-server`):
 * `/api/ready` answers 503 while the store cannot be reached, and again once the service is stopping;
 * `/api/health` keeps answering 200 meanwhile.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../bot/app.js';
import { Readiness } from '../../bot/readiness.js';
import type { JobStore } from '../../services/store/job-store.js';
import { loadConfig } from '../../services/config/config.js';
import { CosmosJobStore } from '../../services/store/cosmos/cosmos-job-store.js';
import { fastDemoEnv } from '../support/app-env.js';
import { LOCAL_COSMOS_KEY, startLocalCosmos, type LocalCosmos } from '../support/cosmos-server.js';
import { silentLogger } from '../support/graph.js';

let cosmos: LocalCosmos | undefined;
let app: RunningApp | undefined;
let dir: string | undefined;
afterEach(async () => {
  await app?.stop().catch(() => undefined);
  await cosmos?.stop().catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const get = async (path: string) => {
  const response = await fetch(`${app!.url}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('GET /api/ready', () => {
  it('answers 503 while Cosmos DB cannot be reached; health stays 200', async () => {
    cosmos = await startLocalCosmos();
    dir = mkdtempSync(join(tmpdir(), 'aa-ready-'));
    const store = await CosmosJobStore.open({
      endpoint: cosmos.endpoint,
      key: LOCAL_COSMOS_KEY,
      databaseId: 'autopilot-approvals',
      containerId: `jobs-${randomUUID()}`,
      retentionDays: 90,
      createIfMissing: true,
      agent: cosmos.agent,
    });
    app = await startApp({ ...loadConfig(fastDemoEnv(dir)), port: 0 }, silentLogger, {
      host: '127.0.0.1',
      store,
    });
    expect(await get('/api/ready')).toEqual({ status: 200, body: { status: 'ready' } });

    await cosmos.stop();
    cosmos = undefined;
    expect(await get('/api/ready')).toEqual({
      status: 503,
      body: { status: 'unavailable', reason: 'the store cannot be reached' },
    });
    expect((await get('/api/health')).status).toBe(200);
  }, 30_000);

  it('is not ready once stopping, nor while the store hangs (a probe waits 2 s at most)', async () => {
    let answer: () => Promise<undefined> = () => Promise.resolve(undefined);
    const store = { getChannelBinding: () => answer() } as unknown as JobStore;
    const readiness = new Readiness(store);
    expect(await readiness.notReady()).toBeUndefined();
    answer = () => new Promise(() => undefined);
    expect(await readiness.notReady()).toBe('the store cannot be reached');
    readiness.stopping = true;
    expect(await readiness.notReady()).toBe('stopping');
  });
});
