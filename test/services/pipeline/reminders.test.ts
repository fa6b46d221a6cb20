/**
 * Reminders with a test clock, through housekeeping on a real SQLite store: a reply once a request has waited
 * REMINDER_HOURS, the expiry warning on the card, one reminder per batch, and the daily digest at its hour in its
 * time zone; two instances on one store send each at most once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImportJob } from '../../../services/domain/job.js';
import { Housekeeping } from '../../../services/pipeline/housekeeping.js';
import { hourIn, type ReminderSender, type ReminderSettings } from '../../../services/pipeline/reminders.js';
import { SqliteJobStore } from '../../../services/store/sqlite/sqlite-job-store.js';
import { silentLogger } from '../../support/graph.js';
import { DAY_MS, submittedJob } from '../../support/jobs.js';

const HOUR = 3_600_000;
const T0 = new Date('2026-11-02T06:30:00Z');
const SETTINGS: ReminderSettings = {
  reminderMs: 24 * HOUR,
  expiryWarningMs: 12 * HOUR,
  digest: { hour: 9, timeZone: 'Europe/Berlin' },
};

class RecordingSender implements ReminderSender {
  readonly reminders: { jobId: string; text: string }[] = [];
  readonly digests: { jobs: readonly ImportJob[]; total: number }[] = [];
  remind(job: ImportJob, text: string): Promise<boolean> {
    this.reminders.push({ jobId: job.id, text });
    return Promise.resolve(true);
  }
  digest(page: { jobs: readonly ImportJob[]; total: number }): Promise<void> {
    this.digests.push(page);
    return Promise.resolve();
  }
}

let dir: string;
let store: SqliteJobStore;
let sender: RecordingSender;
let changed: ImportJob[];

function housekeeping(): Housekeeping {
  return new Housekeeping({
    store,
    publisher: { jobChanged: (job) => changed.push(job) },
    logger: silentLogger,
    reminders: { settings: SETTINGS, sender },
  });
}

const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);

/** The card is in the channel: what a reminder replies to. */
const posted = (id: string) =>
  store.saveCardAddress(id, {
    conversationReference: { conversation: { id: 'channel' } },
    activityId: `m-${id}`,
  });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aa-reminders-'));
  store = new SqliteJobStore(join(dir, 'jobs.db'));
  sender = new RecordingSender();
  changed = [];
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('reminders of waiting requests', () => {
  it('replies once after REMINDER_HOURS, warns on the card 12 hours before the deadline, and stops at a decision', async () => {
    // Submitted at T0 with a 72-hour window.
    const job = submittedJob(T0);
    await store.create(job);
    await housekeeping().run(at(23.9));
    expect(sender.reminders).toEqual([]);
    // Due, but its card is not in the channel yet: nothing is marked, the next sweep after the post sends it.
    await housekeeping().run(at(23.95));
    await housekeeping().run(at(24));
    expect(sender.reminders).toEqual([]);
    expect((await store.get(job.id))?.job.reminders?.remindedAt).toBeUndefined();
    await posted(job.id);

    await housekeeping().run(at(24));
    expect(sender.reminders).toEqual([
      {
        jobId: job.id,
        text: 'Reminder: this request has waited for approval for 24 hours. It expires at 2026-11-05 06:30 UTC unless someone decides.',
      },
    ]);
    expect((await store.get(job.id))?.job.reminders?.remindedAt).toBe(at(24).toISOString());
    // The reminder changes nothing the card shows: no card update for it.
    expect(changed).toEqual([]);
    await housekeeping().run(at(30));
    expect(sender.reminders).toHaveLength(1);

    await housekeeping().run(at(59.9));
    expect(changed).toEqual([]);
    await housekeeping().run(at(60));
    const warned = (await store.get(job.id))?.job;
    expect(warned?.reminders?.expiryWarnedAt).toBe(at(60).toISOString());
    expect(changed.map((j) => j.id)).toEqual([job.id]);
    await housekeeping().run(at(61));
    expect(changed).toHaveLength(1);
    const { renderJobCard } = await import('../../../cards/job-card.js');
    const card = JSON.stringify(
      renderJobCard(warned!, {
        approvals: {
          approverGroupIds: [],
          approverIds: [],
          groupTags: [],
          allowNoTag: true,
          ticketMaxLength: 200,
        },
      }),
    );
    expect(card).toContain(
      'This request expires at 2026-11-05 06:30 UTC unless someone decides before then.',
    );

    // Past the deadline it expires; no reminder is owed any more.
    await housekeeping().run(at(72));
    expect((await store.get(job.id))?.job.status).toBe('expired');
    expect(sender.reminders).toHaveLength(1);
  });

  it('sends one reminder for a batch, in its card thread, and none for a decided request', async () => {
    const batchId = 'batch-1';
    await store.createBatch({
      id: batchId,
      createdAt: T0.toISOString(),
      submittedBy: { channel: 'batch', via: 'deploy-tool' },
      rows: 250,
      alreadyOpen: 0,
      refused: [],
    });
    await posted(`batch:${batchId}`);
    // More than one page of the sweep, created over a minute: still one reminder.
    for (let i = 0; i < 250; i++)
      await store.create(submittedJob(new Date(T0.getTime() + i * 240), { batchId }));
    const decided = submittedJob(T0);
    await store.create({ ...decided, status: 'rejected' });
    await posted(decided.id);
    await housekeeping().run(at(25));
    await housekeeping().run(at(25.1));
    expect(sender.reminders).toHaveLength(1);
    expect(sender.reminders[0]?.text).toMatch(/^Reminder: this batch has waited for approval for 25 hours/);
    expect((await store.getBatch(batchId))?.batch.remindedAt).toBe(at(25).toISOString());
  });

  it('two instances on one store remind at most once', async () => {
    const job = submittedJob(T0);
    await store.create(job);
    await posted(job.id);
    const other = new SqliteJobStore(join(dir, 'jobs.db'));
    const second = new Housekeeping({
      store: other,
      publisher: { jobChanged: () => undefined },
      logger: silentLogger,
      reminders: { settings: SETTINGS, sender },
    });
    await Promise.all([housekeeping().run(at(25)), second.run(at(25))]);
    await other.close();
    expect(sender.reminders).toHaveLength(1);
  });
});

describe('the daily digest', () => {
  it('is not sent when nothing waits, and is configured by hour and time zone', async () => {
    await store.create({ ...submittedJob(T0), status: 'rejected' });
    await housekeeping().run(new Date('2026-11-02T08:01:00Z'));
    expect(sender.digests).toEqual([]);
    const { loadConfig } = await import('../../../services/config/config.js');
    expect(
      loadConfig({ MODE: 'demo', DIGEST_HOUR: '8', DIGEST_TIME_ZONE: 'Europe/Berlin' }).reminders,
    ).toEqual({
      reminderMs: 24 * HOUR,
      expiryWarningMs: 12 * HOUR,
      digest: { hour: 8, timeZone: 'Europe/Berlin' },
    });
    expect(loadConfig({ MODE: 'demo' }).reminders.digest).toBeUndefined();
    expect(() => loadConfig({ MODE: 'demo', DIGEST_HOUR: '24', DIGEST_TIME_ZONE: 'Mars/Olympus' })).toThrow(
      /DIGEST_HOUR: must be an hour from 0 to 23, or off\n {2}- DIGEST_TIME_ZONE: must be an IANA time zone/,
    );
  });

  it('goes out once a day at the configured hour in its time zone, oldest first, with the count', async () => {
    // 09:00 in Berlin is 08:00 UTC in November.
    expect(hourIn(new Date('2026-11-02T08:15:00Z'), 'Europe/Berlin')).toBe(9);
    const jobs = Array.from({ length: 30 }, (_, i) => submittedJob(new Date(T0.getTime() - i * HOUR)));
    for (const job of jobs) await store.create(job);
    await store.create({ ...submittedJob(T0), status: 'completed' });

    await housekeeping().run(new Date('2026-11-02T07:59:00Z'));
    expect(sender.digests).toEqual([]);
    await housekeeping().run(new Date('2026-11-02T08:01:00Z'));
    expect(sender.digests).toHaveLength(1);
    const digest = sender.digests[0]!;
    expect(digest.total).toBe(30);
    expect(digest.jobs).toHaveLength(25);
    // Oldest first: the request submitted 29 hours before T0 leads, the newest five are only counted.
    expect(digest.jobs[0]?.id).toBe(jobs[29]?.id);
    expect(digest.jobs.every((j) => j.hardwareHash === null)).toBe(true);

    // Another instance in the same hour, and the same one later that hour: nothing more.
    await housekeeping().run(new Date('2026-11-02T08:30:00Z'));
    expect(sender.digests).toHaveLength(1);
    // The next day at the same hour: the next digest.
    await housekeeping().run(new Date(Date.parse('2026-11-02T08:05:00Z') + DAY_MS));
    expect(sender.digests).toHaveLength(2);
  });
});
