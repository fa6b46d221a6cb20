/**
 * The report over 100,000 jobs in SQLite: the store's figures (counts, breakdowns, percentiles) for a 40-day
 * period, timed cold and warm, with the process's peak resident memory (sampled) before and during.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteJobStore } from '../services/store/sqlite/sqlite-job-store.js';
import { generateReportJobs } from '../test/support/report-jobs.js';
import { round } from './report.js';

export interface ReportBenchResult {
  jobs: number;
  seedSeconds: number;
  firstReportSeconds: number;
  secondReportSeconds: number;
  rssBeforeMb: number;
  peakRssDuringMb: number;
}

const MB = 1024 * 1024;

export async function reportBench(jobs = 100_000): Promise<ReportBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'aa-report-bench-'));
  const store = new SqliteJobStore(join(dir, 'jobs.db'));
  const start = new Date('2026-10-01T00:00:00Z');
  const seedStart = performance.now();
  // In slices, so that the generated jobs are not all in memory at once.
  for (let slice = 0; slice < jobs; slice += 10_000)
    for (const job of generateReportJobs(Math.min(10_000, jobs - slice), start, 40, slice + 1))
      await store.create(job);
  const seedSeconds = (performance.now() - seedStart) / 1000;
  const period = { from: start.toISOString(), to: '2026-11-10T00:00:00.000Z' };
  global.gc?.();
  const rssBeforeMb = process.memoryUsage().rss / MB;
  let peak = rssBeforeMb;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss / MB)), 20);
  const timed = async () => {
    const t0 = performance.now();
    const figures = await store.report(period);
    if (figures.total !== jobs) throw new Error(`the report counted ${figures.total} of ${jobs} jobs`);
    return (performance.now() - t0) / 1000;
  };
  const first = await timed();
  const second = await timed();
  clearInterval(sampler);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    jobs,
    seedSeconds: round(seedSeconds, 1),
    firstReportSeconds: round(first, 2),
    secondReportSeconds: round(second, 2),
    rssBeforeMb: Math.round(rssBeforeMb),
    peakRssDuringMb: Math.round(peak),
  };
}
