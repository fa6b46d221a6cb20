import { LongPolls } from '../../bot/status-routes.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerIntakeRoutes } from '../../bot/intake-routes.js';
import { createServer, listen } from '../../bot/server.js';
import type { IntakeConfig } from '../../services/config/config.js';
import type { AutopilotGraph } from '../../services/graph/autopilot-graph.js';
import { IntakeAuth } from '../../services/intake/intake-auth.js';
import { IntakeService } from '../../services/intake/intake-service.js';
import { trustedProxies } from '../../services/intake/client-address.js';
import { RateLimiter } from '../../services/intake/rate-limiter.js';
import { SqliteJobStore } from '../../services/store/sqlite/sqlite-job-store.js';
import { silentLogger } from './graph.js';
import { RecordingPublisher } from './pipeline.js';

export const TEST_KEY = 'test-intake-key-0123456789';

export interface IntakeFixture {
  url: string;
  store: SqliteJobStore;
  publisher: RecordingPublisher;
  registered: Set<string>;
  lookups: number;
  /** While true, every look-up in Autopilot fails as if Intune could not be reached. */
  graphDown: boolean;
  request(
    method: string,
    path: string,
    options?: {
      body?: string | Uint8Array;
      contentType?: string;
      key?: string | null;
      headers?: Record<string, string>;
    },
  ): Promise<{ status: number; headers: Headers; body: any; text: string }>;
  stop(): Promise<void>;
}

export async function startIntakeServer(overrides: Partial<IntakeConfig> = {}): Promise<IntakeFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'aa-intake-'));
  const store = new SqliteJobStore(join(dir, 'jobs.db'));
  const publisher = new RecordingPublisher();
  const config: IntakeConfig = {
    keys: [{ name: 'deploy-tool', key: TEST_KEY }],
    ratePerMinute: 10_000,
    authFailuresPerMinute: 10_000,
    trustedProxies: [],
    maxBodyBytes: 65_536,
    maxBatchBytes: 4 * 1024 * 1024,
    allowedManufacturers: [],
    allowedModels: [],
    allowListMode: 'flag',
    ...overrides,
  };
  const registered = new Set<string>();
  const fixture = { lookups: 0, graphDown: false } as IntakeFixture;
  const graph: Pick<AutopilotGraph, 'findAutopilotDevicesBySerial'> = {
    findAutopilotDevicesBySerial(serials) {
      fixture.lookups++;
      if (fixture.graphDown) return Promise.reject(new Error('Intune is unreachable'));
      const device = (s: string) => ({
        id: `ap-${s}`,
        serialNumber: s,
        groupTag: '',
        entraDeviceId: 'd',
        userPrincipalName: '',
        profileStatus: 'assignedInSync',
      });
      return Promise.resolve(
        new Map(serials.map((s) => [s, { ok: true as const, value: registered.has(s) ? [device(s)] : [] }])),
      );
    },
  };
  const intake = new IntakeService({
    store,
    graph,
    publisher,
    logger: silentLogger,
    approvalWindowMs: 86_400_000,
    allowLists: {
      manufacturers: config.allowedManufacturers,
      models: config.allowedModels,
      mode: config.allowListMode,
    },
  });
  const server = createServer({
    logger: silentLogger,
    mode: 'demo',
    storeKind: 'sqlite',
    startedAt: new Date(),
  });
  registerIntakeRoutes(server, {
    intake,
    auth: new IntakeAuth(config.keys),
    limiter: new RateLimiter(config.ratePerMinute),
    failures: new RateLimiter(config.authFailuresPerMinute),
    trusted: trustedProxies(config.trustedProxies),
    polls: new LongPolls(),
    store,
    config,
    approvals: {
      approverGroupIds: [],
      approverIds: [],
      groupTags: ['Standard', 'Kiosk'],
      allowNoTag: false,
      ticketMaxLength: 200,
    },
    logger: silentLogger,
  });
  await listen(server, 0, '127.0.0.1');
  const url = `http://127.0.0.1:${server.address().port}`;
  return Object.assign(fixture, {
    url,
    store,
    publisher,
    registered,
    async request(
      method: string,
      path: string,
      options: {
        body?: string | Uint8Array;
        contentType?: string;
        key?: string | null;
        headers?: Record<string, string>;
      } = {},
    ) {
      const key = options.key === undefined ? TEST_KEY : options.key;
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(key === null ? {} : { authorization: `Bearer ${key}` }),
          ...(options.contentType
            ? { 'content-type': options.contentType }
            : options.body !== undefined
              ? { 'content-type': 'application/json' }
              : {}),
          ...options.headers,
        },
        ...(options.body === undefined ? {} : { body: options.body }),
      });
      const text = await response.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      return { status: response.status, headers: response.headers, body, text };
    },
    async stop() {
      server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

export async function allJobs(store: SqliteJobStore) {
  return (await store.list({ limit: 1000 })).items;
}
