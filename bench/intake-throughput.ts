/**
 * Intake throughput: accepted submissions per second through POST /api/submissions (key check, rate limit,
 * validation, duplicate check, the SQLite store), against a bare restify handler that parses the same body and
 * answers 202, on the same machine in the same run.
 */
import { performance } from 'node:perf_hooks';
import restify from 'restify';
import { fakeHardwareHash } from '../test/support/jobs.js';
import { startIntakeServer, TEST_KEY } from '../test/support/intake-server.js';
import { round } from './report.js';

export interface IntakeResult {
  seconds: number;
  concurrency: number;
  servicePerSecond: number;
  barePerSecond: number;
  ratio: number;
}

/** Serials stay unique across every turn (a serial sent twice would find its open job, not make one). */
let sent = 0;

async function drive(url: string, seconds: number, concurrency: number): Promise<number> {
  const hashes = Array.from({ length: 64 }, () => fakeHardwareHash());
  let accepted = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const n = sent++;
        const response = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            serialNumber: `TPUT-${n}`,
            hardwareHash: hashes[n % hashes.length],
            manufacturer: 'Contoso',
            model: 'Laptop 7',
          }),
        });
        await response.arrayBuffer();
        if (response.status === 202) accepted++;
      }
    }),
  );
  return accepted / seconds;
}

async function bareServer(): Promise<{ url: string; stop(): void }> {
  const server = restify.createServer();
  server.use(restify.plugins.bodyParser({ maxBodySize: 65_536 }));
  server.post('/api/submissions', (req, res, next) => {
    res.send(202, {
      id: String((req.body as { serialNumber?: string }).serialNumber),
      status: 'awaiting_approval',
    });
    return next();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/api/submissions`, stop: () => server.close() };
}

/**
 * The two servers are driven in turn, one second each, `seconds` times over, so that a drift of the machine's speed
 * during the run weighs on both alike; the first turn of each warms it up and is not counted.
 */
export async function intakeThroughput(seconds = 6, concurrency = 16): Promise<IntakeResult> {
  const service = await startIntakeServer({ ratePerMinute: 10_000_000 });
  const bare = await bareServer();
  try {
    await drive(`${service.url}/api/submissions`, 1, concurrency);
    await drive(bare.url, 1, concurrency);
    let serviceTotal = 0;
    let bareTotal = 0;
    for (let turn = 0; turn < seconds; turn++) {
      serviceTotal += await drive(`${service.url}/api/submissions`, 1, concurrency);
      bareTotal += await drive(bare.url, 1, concurrency);
    }
    const servicePerSecond = serviceTotal / seconds;
    const barePerSecond = bareTotal / seconds;
    return {
      seconds,
      concurrency,
      servicePerSecond: round(servicePerSecond, 0),
      barePerSecond: round(barePerSecond, 0),
      ratio: round(servicePerSecond / barePerSecond),
    };
  } finally {
    bare.stop();
    await service.stop();
  }
}
