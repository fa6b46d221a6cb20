/**
 * GET /api/exports/jobs over HTTP: read-only report keys apart from intake keys, the query checked naming the
 * field, every job of the period exactly once across the store's pages, never a hash, and CSV that parses back
 * with quotes, commas, line breaks and formula-looking cells neutralised.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerExportRoutes } from '../../bot/export-routes.js';
import { createServer, listen } from '../../bot/server.js';
import { IntakeAuth } from '../../services/intake/intake-auth.js';
import { trustedProxies } from '../../services/intake/client-address.js';
import { RateLimiter } from '../../services/intake/rate-limiter.js';
import { EXPORT_COLUMNS } from '../../services/reports/export-rows.js';
import { SqliteJobStore } from '../../services/store/sqlite/sqlite-job-store.js';
import { silentLogger } from '../support/graph.js';
import { approvedJob, submittedJob } from '../support/jobs.js';

const REPORT_KEY = 'auditor-report-key-0123456789';
const day = (n: number) => new Date(Date.UTC(2026, 10, 1 + n, 9, 0, 0));

/** RFC 4180, as a spreadsheet reads it: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted && ch === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (quoted && ch === '"') {
      quoted = false;
    } else if (quoted) {
      cell += ch;
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else {
      cell += ch;
    }
  }
  return rows;
}

let dir: string;
let store: SqliteJobStore;
let url: string;
let stop: () => Promise<void>;
const hashes: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aa-export-'));
  store = new SqliteJobStore(join(dir, 'jobs.db'));
  // 1,203 jobs over three days (more than two of the export's pages), plus one outside the period.
  for (let i = 0; i < 1_203; i++) {
    const job = i % 3 ? submittedJob(day(i % 3)) : approvedJob(day(0), `EXP-${i}`);
    hashes.push(job.hardwareHash ?? '');
    await store.create(job);
  }
  await store.create(submittedJob(day(10)));
  // A job whose free text a spreadsheet would misread: quotes, commas, a line break, a formula.
  const tricky = approvedJob(day(1), 'TRICKY-1');
  await store.create({
    ...tricky,
    device: { ...tricky.device, model: '=1+1' },
    submittedBy: { ...tricky.submittedBy, requestedBy: 'Doe, "Jane"' },
    approval: { ...tricky.approval!, comment: 'INC-9\nsecond line, with "quotes"' },
  });
  const server = createServer({
    logger: silentLogger,
    mode: 'demo',
    storeKind: 'sqlite',
    startedAt: new Date(),
  });
  registerExportRoutes(server, {
    auth: new IntakeAuth([{ name: 'auditor', key: REPORT_KEY }]),
    limiter: new RateLimiter(1_000),
    failures: new RateLimiter(1_000),
    trusted: trustedProxies([]),
    store,
    logger: silentLogger,
  });
  await listen(server, 0, '127.0.0.1');
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  stop = () => new Promise((resolve) => server.close(() => resolve()));
});

afterAll(async () => {
  await stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (query: string, key: string | null = REPORT_KEY) =>
  fetch(`${url}/api/exports/jobs${query}`, key ? { headers: { authorization: `Bearer ${key}` } } : {});

describe('GET /api/exports/jobs', () => {
  it('streams one CSV row per job of the period, never a hash, parsing back as written', async () => {
    const response = await get('?from=2026-11-01&to=2026-11-04&format=csv');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toContain('jobs-2026-11-01-2026-11-04.csv');
    const text = await response.text();
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([...EXPORT_COLUMNS]);
    expect(rows).toHaveLength(1_204);
    expect(new Set(rows.map((r) => r[0])).size).toBe(1_204);
    for (const hash of hashes.slice(0, 50)) expect(text).not.toContain(hash.slice(0, 40));
    expect(text).not.toMatch(/sha256:/);
    const col = (name: (typeof EXPORT_COLUMNS)[number]) => EXPORT_COLUMNS.indexOf(name);
    const tricky = rows.find((r) => r[col('serialNumber')] === 'TRICKY-1');
    expect(tricky?.[col('model')]).toBe("'=1+1");
    expect(tricky?.[col('requester')]).toBe('Doe, "Jane"');
    expect(tricky?.[col('ticket')]).toBe('INC-9\nsecond line, with "quotes"');
    expect(tricky?.[col('decision')]).toBe('approved');
    expect(tricky?.[col('groupTag')]).toBe('Sales');
  });

  it('gives the same rows as JSON', async () => {
    const response = await get('?from=2026-11-02&to=2026-11-03&format=json');
    expect(response.status).toBe(200);
    const rows = (await response.json()) as Record<string, string>[];
    expect(rows).toHaveLength(402);
    expect(rows.every((r) => r.createdAt?.startsWith('2026-11-02'))).toBe(true);
    expect(Object.keys(rows[0] ?? {})).toEqual([...EXPORT_COLUMNS]);
  });

  it('refuses a missing or intake key, and names the bad field of the query', async () => {
    expect((await get('?from=2026-11-01&to=2026-11-02', null)).status).toBe(401);
    expect((await get('?from=2026-11-01&to=2026-11-02', 'test-intake-key-0123456789')).status).toBe(401);
    const cases: [string, string][] = [
      ['?to=2026-11-02', 'query.from'],
      ['?from=yesterday&to=2026-11-02', 'query.from'],
      ['?from=2026-11-03&to=2026-11-02', 'query.from'],
      ['?from=2026-11-01&to=2026-11-02&format=xlsx', 'query.format'],
      ['?from=2026-11-01&to=2026-11-02&limit=5', 'query.limit'],
    ];
    for (const [query, field] of cases) {
      const response = await get(query);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { field?: string; message: string } };
      expect(body.error.message).toContain(field);
    }
  });
});
