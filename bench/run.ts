/**
 * `npm run bench`: every benchmark in turn; each prints its table and writes its JSON under bench/results/.
 * `npm run bench -- bulk` (or approval, cards, channel, intake, export, report) runs one.
 */
import { approvalLatency } from './approval-latency.js';
import type { BulkResult } from './bulk-import.js';
import { cardUpdates } from './card-updates.js';
import { exportBench } from './export.js';
import { reportBench } from './report-figures.js';
import { channelAtScale } from './channel-scale.js';
import { intakeThroughput } from './intake-throughput.js';
import { atLeast, atMost, barRows, below, type Bar } from './bars.js';
import { round, table, writeResult } from './report.js';
import { inServiceProcess, serviceNodeFlags } from './service-process.js';

const only = process.argv[2];
const want = (name: string) => !only || only === name;

/** Every bar checked in this run, for the summary at the end. */
const allBars: Bar[] = [];
function showBars(bars: Bar[]): void {
  allBars.push(...bars);
  console.log(`\n${table(barRows(bars))}`);
}

if (want('bulk')) {
  console.log('\n## Bulk import (emulator with Intune throttling, realistic delays × time scale)\n');
  const timeScale = 0.02;
  const runs = [];
  console.log(
    `Each size in a fresh process with the service's Node flags: ${serviceNodeFlags().join(' ')}\n`,
  );
  for (const devices of [100, 1000, 10_000]) {
    const result = await inServiceProcess<BulkResult>('bench/bulk-child.ts', [
      String(devices),
      String(timeScale),
    ]);
    // The bars hold at 1,000 and 10,000 devices; 100 is shown for the trend.
    const bars =
      devices < 1000
        ? []
        : [
            atMost(`bulk ${devices}: makespan / lower bound`, result.ratio, 1.15),
            atMost(`bulk ${devices}: Graph requests per device`, result.requestsPerDevice, 4),
            ...(devices >= 10_000 ? [below(`bulk ${devices}: peak RSS MB`, result.peakRssMb, 500)] : []),
          ];
    runs.push({ ...result, bars });
    console.log(`N = ${devices}:\n  ${result.derivation.join('\n  ')}`);
  }
  console.log(
    `\n${table(
      runs.map((r) => ({
        devices: r.devices,
        'makespan s': round(r.makespanMs / 1000),
        'lower bound s': round(r.lowerBoundMs / 1000),
        ratio: r.ratio,
        'ratio bar': r.devices < 1000 ? '—' : '≤ 1.15',
        'requests/device': r.requestsPerDevice,
        'requests bar': r.devices < 1000 ? '—' : '≤ 4',
        '429s': r.throttled429,
        'not honoured': r.retryAfterViolations,
        'peak RSS MB': r.peakRssMb,
        'RSS bar': r.devices < 10_000 ? '—' : '< 500',
      })),
    )}`,
  );
  showBars(runs.flatMap((r) => r.bars));
  console.log(`\nwritten to ${writeResult('bulk-import', { runs })}`);
}

if (want('approval')) {
  console.log(
    '\n## Approval latency (invoke round trip through the CloudAdapter, 50 clicks in flight, beside a bare bot)\n',
  );
  const result = await approvalLatency();
  console.log(
    table([
      {
        '': 'service',
        clicks: result.clicks,
        'p50 ms': result.p50Ms,
        'p99 ms': result.p99Ms,
        'max ms': result.maxMs,
      },
      {
        '': 'bare CloudAdapter bot',
        clicks: result.clicks,
        'p50 ms': result.bare.p50Ms,
        'p99 ms': result.bare.p99Ms,
        'max ms': result.bare.maxMs,
      },
    ]),
  );
  const bars = [atMost('approval click: p99 / bare bot p99', result.p99Ratio, 1.25)];
  showBars(bars);
  console.log(`\nwritten to ${writeResult('approval-latency', { ...result, bars })}`);
}

if (want('cards')) {
  console.log('\n## Card updates (persisted change → update request at the Teams connector)\n');
  const result = await cardUpdates();
  console.log(
    table([
      { measure: 'single changes', value: result.singleUpdates },
      { measure: 'p50 ms', value: result.p50Ms },
      { measure: 'p99 ms (target < 1000)', value: result.p99Ms },
      { measure: 'burst: changes within 1 s', value: result.burstChanges },
      { measure: 'burst: sends Teams received', value: result.burstSends },
      { measure: 'burst: most sends in any second (limit 7)', value: result.maxSendsInAnySecond },
      { measure: 'burst: final state delivered', value: String(result.finalStateDelivered) },
    ]),
  );
  console.log(`\nwritten to ${writeResult('card-updates', result)}`);
}

if (want('channel')) {
  console.log("\n## The helpdesk channel at scale (strict Teams stand-in; times in Teams' time)\n");
  const r = await channelAtScale();
  console.log(
    `${r.singles} single submissions over ${r.spreadMinutes} min, then one ${r.batchRows}-row batch; Teams' clock ×${1 / r.timeScale} (${r.realSeconds} s real)\n`,
  );
  console.log(
    table([
      { measure: 'every card posted', value: String(r.allPosted) },
      { measure: "every card's final state shown", value: String(r.allFinalShown) },
      {
        measure: 'submission → card, p50 / p95 / max s',
        value: `${r.submissionToCard.p50} / ${r.submissionToCard.p95} / ${r.submissionToCard.max}`,
      },
      {
        measure: 'final state → card, p50 / p95 / max s',
        value: `${r.finalToCard.p50} / ${r.finalToCard.p95} / ${r.finalToCard.max}`,
      },
      { measure: 'sends Teams accepted in the channel', value: r.sendsToChannel },
      { measure: '429s Teams answered (each waited out)', value: r.answered429 },
      ...r.mostPerWindow.map((w) => ({
        measure: `most sends in any ${w.window} (limit ${w.limit})`,
        value: w.most,
      })),
      {
        measure: `Approve all on ${r.batchRows} rows: click answered, ms (target < 1000)`,
        value: r.approveAllClickMs,
      },
      { measure: 'batch: final state → card, s', value: r.batchFinalToCardS },
    ]),
  );
  console.log(`\nwritten to ${writeResult('channel-scale', r)}`);
}

if (want('intake')) {
  console.log('\n## Intake throughput (validated and stored, against a bare restify handler)\n');
  const result = await intakeThroughput();
  console.log(
    table([
      {
        'service /s': result.servicePerSecond,
        'bare restify /s': result.barePerSecond,
        ratio: result.ratio,
        concurrency: result.concurrency,
        seconds: result.seconds,
      },
    ]),
  );
  const bars = [atLeast('intake: service / bare restify', result.ratio, 0.6)];
  showBars(bars);
  console.log(`\nwritten to ${writeResult('intake-throughput', { ...result, bars })}`);
}

if (want('export')) {
  console.log('\n## Export of 100,000 finished jobs from SQLite (CSV, streamed)\n');
  const result = await exportBench();
  console.log(table([{ ...result }]));
  console.log(`\nwritten to ${writeResult('export', result)}`);
}

if (want('report')) {
  console.log('\n## Report of 100,000 jobs in SQLite (counts, breakdowns and percentiles in SQL)\n');
  const result = await reportBench();
  console.log(table([{ ...result }]));
  console.log(`\nwritten to ${writeResult('report', result)}`);
}

if (allBars.length) {
  console.log('\n## Bars\n');
  console.log(table(barRows(allBars)));
  const missed = allBars.filter((b) => !b.met);
  console.log(missed.length ? `\n${missed.length} bar(s) not met.` : '\nEvery bar met.');
}
