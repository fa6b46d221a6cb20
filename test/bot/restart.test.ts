/** A channel from configuration, and a restart: cards that missed an update while the service was down get it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../bot/app.js';
import { loadConfig } from '../../services/config/config.js';
import { approve } from '../../services/domain/transitions.js';
import { mutateJob } from '../../services/store/mutate.js';
import { SqliteJobStore } from '../../services/store/sqlite/sqlite-job-store.js';
import { startFakeConnector, type FakeConnector } from '../support/fake-connector.js';
import { silentLogger } from '../support/graph.js';
import { fakeHardwareHash } from '../support/jobs.js';

const KEY = 'restart-test-intake-key-012345';
const TEAM = '19:configured-team@thread.tacv2';
let app: RunningApp | undefined;
let connector: FakeConnector;
let dir: string;
afterEach(async () => {
  await app?.stop();
  await connector.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<RunningApp> {
  const config = loadConfig({
    DATA_DIR: dir,
    INTAKE_KEYS: `k:${KEY}`,
    TEAMS_TEAM_ID: TEAM,
    TEAMS_SERVICE_URL: connector.url.replace(/\/$/, ''),
    EMULATOR_TIME_SCALE: '1',
    WORKER_TICK_MS: '60000',
  });
  return startApp({ ...config, port: 0 }, silentLogger, { host: '127.0.0.1' });
}

describe('configured channel and restart', () => {
  it('posts into the configured channel, and after a restart sends the state the card missed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'aa-restart-'));
    connector = await startFakeConnector();
    app = await start();
    expect(await app.store.getChannelBinding()).toMatchObject({ teamId: TEAM, boundBy: 'configuration' });
    const reply = await fetch(`${app.url}/api/submissions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        serialNumber: 'RESTART-1',
        hardwareHash: fakeHardwareHash(),
        manufacturer: 'HP',
        model: 'EliteBook',
      }),
    });
    const { id } = (await reply.json()) as { id: string };
    await app.cards.idle();
    const post = connector.calls.find((c) => c.method === 'POST' && /\/v3\/conversations\/?$/.test(c.path));
    expect(post?.body.channelData.channel.id).toBe(TEAM);
    await app.stop();
    app = undefined;

    // While the service is down, the job changes (as if the process died right after persisting a decision).
    const store = new SqliteJobStore(join(dir, 'autopilot-approvals.db'));
    await mutateJob(store, id, (job) => {
      const r = approve(job, {
        by: { id: 'aad-alice', name: 'Alice' },
        at: new Date(),
        groupTag: null,
        comment: 'INC9',
      });
      if (!r.ok) throw r.error;
      return r.value;
    });
    await store.close();

    const before = connector.calls.length;
    app = await start();
    await app.reconciled;
    await app.cards.idle();
    const update = connector.calls.slice(before).find((c) => c.method === 'PUT');
    expect(JSON.stringify(update?.body)).toContain('Approved');
    expect((await app.store.getCardAddress(id))?.shows).toBe((await app.store.get(id))?.job.updatedAt);
  });
});
