import { afterEach, describe, expect, it } from 'vitest';
import { SqliteJobStore } from '../../../services/store/sqlite/sqlite-job-store.js';
import { deviceInput, serialOf, startPipelineFixture, type PipelineFixture } from '../../support/pipeline.js';

let fixture: PipelineFixture | undefined;
afterEach(async () => {
  await fixture?.stop();
  fixture = undefined;
});

describe('pipeline at scale', () => {
  it('two workers on one store share 200 jobs and never run a step twice', { timeout: 90_000 }, async () => {
    fixture = await startPipelineFixture({ settings: { batchSize: 25 } });
    const jobs = await fixture.approvedJobs(
      Array.from({ length: 200 }, (_, i) => deviceInput(serialOf(i, 'TWO'))),
    );
    const secondConnection = new SqliteJobStore(fixture.dbPath);
    fixture.newWorker({ owner: 'worker-a' }).start();
    fixture.newWorker({ owner: 'worker-b', store: secondConnection }).start();
    const done = await fixture.waitForTerminal(
      jobs.map((j) => j.id),
      80_000,
    );
    expect(done.every((j) => j.status === 'completed')).toBe(true);
    // Each step ran exactly once per job: no second worker repeated what the first had started.
    expect(done.every((j) => j.steps.every((s) => s.attempts <= 1))).toBe(true);
    const uploads = fixture.emulator.log.uploadsBySerial();
    expect(jobs.every((j) => uploads.get(j.device.serialNumber) === 1)).toBe(true);
    const owners = new Set(fixture.publisher.events.map((e) => e.lease?.owner).filter(Boolean));
    expect(owners).toEqual(new Set(['worker-a', 'worker-b']));
    await secondConnection.close();
  });

  it(
    'completes 200 jobs under tight Intune throttling, honouring every 429',
    { timeout: 90_000 },
    async () => {
      fixture = await startPipelineFixture({
        emulator: {
          scenario: {
            timeScale: 0.005,
            delays: { import: 10_000, autopilotDevice: 10_000, entraDevice: 10_000, profile: 10_000 },
            throttling: { enabled: true, writesPer20s: 20, requestsPer20s: 60 },
          },
        },
        // The client's own budget is deliberately looser than the server's, so that 429s do happen: 20 writes (one
        // $batch of deletes) and 60 requests per scaled window, which even a slowed-down client on a loaded machine
        // goes past.
        budget: { requestsPer20s: 2000, writesPer20s: 1000 },
        settings: { batchSize: 200 },
      });
      const jobs = await fixture.approvedJobs(
        Array.from({ length: 200 }, (_, i) =>
          deviceInput(serialOf(i, 'THR'), { assignedUser: 'ada@contoso.example' }),
        ),
      );
      fixture.newWorker().start();
      const done = await fixture.waitForTerminal(
        jobs.map((j) => j.id),
        80_000,
      );
      expect(done.filter((j) => j.status !== 'completed').map((j) => j.error)).toEqual([]);
      const { log } = fixture.emulator;
      const throttled = log.entries.filter((e) => e.status === 429);
      expect(throttled.length).toBeGreaterThan(0);
      // Honoured: after a 429 the client sent nothing more until the Retry-After had passed (requests already in
      // flight when the 429 was sent arrive within a few milliseconds, hence the grace period).
      const graceMs = 25;
      for (const t of throttled) {
        const tooEarly = log.entries.filter(
          (e) => e.at > t.at + graceMs && e.at < t.at + (t.retryAfterMs ?? 0) - graceMs,
        );
        expect(tooEarly, `requests within Retry-After of the 429 at ${t.at}`).toEqual([]);
      }
      const uploads = log.uploadsBySerial();
      expect(jobs.every((j) => uploads.get(j.device.serialNumber) === 1)).toBe(true);
    },
  );
});
