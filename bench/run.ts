/**
 * `npm run bench`: every benchmark in turn; each prints its table and writes its JSON under bench/results/.
 * `npm run bench -- bulk` (or approval, cards, channel, intake, export, report) runs one.
 */
import { approvalLatency } from './approval-latency.js';
import { bulkImport } from './bulk-import.js';
import { cardUpdates } from './card-updates.js';
import { exportBench } from './export.js';
import { reportBench } from './report-figures.js';
import { channelAtScale } from './channel-scale.js';
import { intakeThroughput } from './intake-throughput.js';
import { round, table, writeResult } from './report.js';

const only = process.argv[2];
const want = (name: string) => !only || only === name;

if (want('bulk')) {
  console.log('\n## Bulk import (emulator with Intune throttling, realistic delays × time scale)\n');
  const timeScale = 0.02;
  const runs = [];
  for (const devices of [10, 100, 1000]) {
    const result = await bulkImport(devices, timeScale);
    runs.push(result);
    console.log(`N = ${devices}:\n  ${result.derivation.join('\n  ')}`);
  }
  console.log(
    `\n${table(
      runs.map((r) => ({
        devices: r.devices,
        'makespan s': round(r.makespanMs / 1000),
        'lower bound s': round(r.lowerBoundMs / 1000),
        ratio: r.ratio,
        'requests/device': r.requestsPerDevice,
        '429s': r.throttled429,
        'not honoured': r.retryAfterViolations,
        'peak RSS MB': r.peakRssMb,
      })),
    )}`,
  );
  console.log(`\nwritten to ${writeResult('bulk-import', { runs })}`);
}

if (want('approval')) {
  console.log('\n## Approval latency (invoke round trip through the CloudAdapter, 50 clicks in flight)\n');
  const result = await approvalLatency();
  console.log(
    table([
      {
        clicks: result.clicks,
        'in flight': result.inFlight,
        'p50 ms': result.p50Ms,
        'p99 ms': result.p99Ms,
        'max ms': result.maxMs,
        'target p99 ms': 150,
      },
    ]),
  );
  console.log(`\nwritten to ${writeResult('approval-latency', result)}`);
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
  console.log(`\nwritten to ${writeResult('intake-throughput', result)}`);
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
