/**
 * The export over 100,000 finished jobs in SQLite: GET /api/exports/jobs streamed to a client that counts rows, with
 * the time taken and the process's peak resident memory (sampled) before and during the export.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { registerExportRoutes } from '../bot/export-routes.js';
import { createServer, listen } from '../bot/server.js';
import { IntakeAuth } from '../services/intake/intake-auth.js';
import { trustedProxies } from '../services/intake/client-address.js';
import { RateLimiter } from '../services/intake/rate-limiter.js';
import { SqliteJobStore } from '../services/store/sqlite/sqlite-job-store.js';
import { silentLogger } from '../test/support/graph.js';
import { approvedJob } from '../test/support/jobs.js';
import { round } from './report.js';

export interface ExportResult {
  jobs: number;
  seedSeconds: number;
  csvSeconds: number;
  csvRowsPerSecond: number;
  csvMegabytes: number;
  rssBeforeMb: number;
  peakRssDuringMb: number;
}

const KEY = 'bench-report-key-0123456789';
const MB = 1024 * 1024;

export async function exportBench(jobs = 100_000): Promise<ExportResult> {
  const dir = mkdtempSync(join(tmpdir(), 'aa-export-bench-'));
  const store = new SqliteJobStore(join(dir, 'jobs.db'));
  const seedStart = performance.now();
  const start = Date.UTC(2026, 0, 1);
  for (let i = 0; i < jobs; i++) {
    const at = new Date(start + i * 60_000);
    const job = approvedJob(at, `BENCH-${i}`);
    // Finished jobs, as most of a history is: their hashes were erased.
    await store.create({ ...job, status: 'completed', outcome: 'imported', hardwareHash: null });
  }
  const seedSeconds = (performance.now() - seedStart) / 1000;
  const server = createServer({
    logger: silentLogger,
    mode: 'demo',
    storeKind: 'sqlite',
    startedAt: new Date(),
  });
  registerExportRoutes(server, {
    auth: new IntakeAuth([{ name: 'bench', key: KEY }]),
    limiter: new RateLimiter(100),
    failures: new RateLimiter(100),
    trusted: trustedProxies([]),
    store,
    logger: silentLogger,
  });
  await listen(server, 0, '127.0.0.1');
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/exports/jobs?from=2026-01-01&to=2027-01-01&format=csv`;
  global.gc?.();
  const rssBeforeMb = process.memoryUsage().rss / MB;
  let peak = rssBeforeMb;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss / MB)), 20);
  const t0 = performance.now();
  const response = await fetch(url, { headers: { authorization: `Bearer ${KEY}` } });
  let bytes = 0;
  let lines = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    for (const b of chunk) if (b === 10) lines++;
  }
  const csvSeconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  if (lines !== jobs + 1) throw new Error(`export gave ${lines - 1} rows for ${jobs} jobs`);
  return {
    jobs,
    seedSeconds: round(seedSeconds, 1),
    csvSeconds: round(csvSeconds, 2),
    csvRowsPerSecond: Math.round(jobs / csvSeconds),
    csvMegabytes: round(bytes / MB, 1),
    rssBeforeMb: Math.round(rssBeforeMb),
    peakRssDuringMb: Math.round(peak),
  };
}
