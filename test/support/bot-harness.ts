/**
 * The whole service with the real CloudAdapter (authentication off, as in local use) in front of a fake Teams
 * connector that records what the channel would show, plus the few calls the bot tests make against it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type RunningApp, type StartOptions } from '../../bot/app.js';
import type { EmulatorSetup } from '../../bot/graph-access.js';
import { loadConfig } from '../../services/config/config.js';
import { fastDemoEnv } from './app-env.js';
import { startFakeConnector, type FakeConnector, type ConnectorCall } from './fake-connector.js';
import { silentLogger } from './graph.js';
import { fakeHardwareHash } from './jobs.js';
import { alice, bob, TENANT } from './teams-activities.js';

export const HARNESS_KEY = 'bot-test-intake-key-0123456789';

export interface BotHarness {
  app: RunningApp;
  connector: FakeConnector;
  /** Sends an activity to /api/messages; the body is the parsed reply (an invoke's response). */
  toBot(activity: object): Promise<{ status: number; body: any }>;
  /** Submits one device through the intake API; returns the job id. */
  submit(serialNumber: string, extra?: Record<string, string>): Promise<string>;
  /** New threads the bot started in the channel (card posts). */
  posts(): ConnectorCall[];
  updates(): ConnectorCall[];
  stop(): Promise<void>;
}

export async function startBotHarness(
  env: Record<string, string> = {},
  emulator?: EmulatorSetup,
  connectorOptions: Parameters<typeof startFakeConnector>[0] = {},
  startOptions: Pick<StartOptions, 'teamsTimeScale'> = {},
): Promise<BotHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'aa-bot-'));
  const connector = await startFakeConnector(connectorOptions);
  const config = loadConfig(
    fastDemoEnv(dir, {
      INTAKE_KEYS: `deploy:${HARNESS_KEY}`,
      APPROVER_IDS: `${alice.aadObjectId},${bob.aadObjectId}`,
      GROUP_TAGS: 'Standard,Kiosk',
      MICROSOFT_APP_TENANT_ID: TENANT,
      ...env,
    }),
  );
  const app = await startApp({ ...config, port: 0 }, silentLogger, {
    host: '127.0.0.1',
    ...startOptions,
    ...(emulator ? { emulator } : {}),
  });
  return {
    app,
    connector,
    async toBot(activity) {
      const response = await fetch(`${app.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async submit(serialNumber, extra = {}) {
      const response = await fetch(`${app.url}/api/submissions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${HARNESS_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          serialNumber,
          hardwareHash: fakeHardwareHash(),
          manufacturer: 'Lenovo',
          model: 'ThinkPad T14',
          ...extra,
        }),
      });
      return ((await response.json()) as { id: string }).id;
    },
    posts: () => connector.calls.filter((c) => c.method === 'POST' && /\/v3\/conversations\/?$/.test(c.path)),
    updates: () => connector.calls.filter((c) => c.method === 'PUT'),
    async stop() {
      await app.stop();
      await connector.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` returns something truthy. */
export async function until<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const cardText = (call: { body: any }) => JSON.stringify(call.body);
