/**
 * A CSV batch end to end through the real CloudAdapter: one batch card in the channel, decided once for every
 * device (Approve all / Reject all), racing approvers, refused rows on the card, and the card following the
 * batch to its end.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mutateJob } from '../../services/store/mutate.js';
import { listAll } from '../../services/store/list-all.js';
import { cardText, HARNESS_KEY, startBotHarness, until, type BotHarness } from '../support/bot-harness.js';
import { cardProblems } from '../support/card-check.js';
import { fakeHardwareHash } from '../support/jobs.js';
import { alice, bob, cardClick, installation, mallory } from '../support/teams-activities.js';

let h: BotHarness;
beforeEach(async () => {
  h = await startBotHarness(
    {},
    { scenario: { importErrors: [{ error: 'ZtdDeviceAssignedToOtherTenant', serialNumber: 'BATCH-808' }] } },
  );
  await h.toBot(installation(h.connector.url));
});
afterEach(async () => {
  await h.stop();
});

async function postBatch(serials: string[], extraRows: string[] = []) {
  const rows = serials.map((s) => `${s},,${fakeHardwareHash()},Kiosk`);
  const text = [
    'Device Serial Number,Windows Product ID,Hardware Hash,Group Tag',
    ...rows,
    ...extraRows,
  ].join('\r\n');
  const response = await fetch(`${h.app.url}/api/submissions/batch?manufacturer=HP&model=EliteBook%20840`, {
    method: 'POST',
    headers: { authorization: `Bearer ${HARNESS_KEY}`, 'content-type': 'text/csv' },
    body: text,
  });
  expect(response.status).toBe(202);
  return (await response.json()) as { batchId: string; accepted: number; refused: number };
}

const jobsOf = (batchId: string) => listAll(h.app.store, { batchId });
const click = (who: typeof alice, verb: string, data: Record<string, unknown>) =>
  h.toBot(cardClick(h.connector.url, who, verb, data));

describe('the batch approval card', () => {
  it('posts one card for the whole file with its refused rows, approves all at once and follows the batch to its end', async () => {
    const report = await postBatch(
      ['BATCH-1', 'BATCH-2', 'BATCH-3'],
      ['BAD SERIAL!,,not-base64,', 'BATCH-4,,,'],
    );
    expect(report).toMatchObject({ accepted: 3, refused: 2 });
    await h.app.cards.idle();
    expect(h.posts()).toHaveLength(1);
    const card = (h.posts()[0]!.body as { activity: { attachments: { content: object }[] } }).activity
      .attachments[0]!.content;
    expect(cardProblems(card)).toEqual([]);
    const text = JSON.stringify(card);
    expect(text).toContain('batch of 3 devices');
    expect(text).toContain('Waiting for approval');
    expect(text).toContain('HP EliteBook 840 (3)');
    expect(text).toMatch(/Line 5 · BAD SERIAL/);
    expect(text).toMatch(/Line 6 · BATCH-4/);
    expect(text).toContain('Approve all');
    // The hashes are still stored (nothing is imported yet); none of them reached Teams.
    const hashes = (await jobsOf(report.batchId)).map((job) => job.hardwareHash?.slice(0, 40));
    expect(hashes.every(Boolean)).toBe(true);
    const sent = JSON.stringify(h.connector.calls.map((c) => c.body));
    for (const hash of hashes) expect(sent).not.toContain(hash);

    const approved = await click(alice, 'approve', {
      batchId: report.batchId,
      groupTag: 'Kiosk',
      comment: 'INC0100',
    });
    expect(approved.status).toBe(200);
    expect(JSON.stringify(approved.body.value)).toContain('Approved by');
    // The decision reaches the jobs just after the click is answered (batch-decision.ts).
    const jobs = await until(async () => {
      const all = await jobsOf(report.batchId);
      return all.every((j) => j.approval) ? all : undefined;
    });
    expect(jobs.map((j) => j.approval)).toEqual(
      jobs.map(() =>
        expect.objectContaining({
          by: expect.objectContaining({ id: alice.aadObjectId }),
          groupTag: 'Kiosk',
          comment: 'INC0100',
        }),
      ),
    );

    await until(async () =>
      (await jobsOf(report.batchId)).every((j) => j.status === 'completed') ? true : undefined,
    );
    await h.app.cards.idle();
    expect(h.posts()).toHaveLength(1);
    const last = h.updates().at(-1)!;
    expect(cardText(last)).toContain('Completed: all 3 devices registered');
    expect(cardText(last)).toContain('Progress: 3 of 3 finished (100%)');
    const version = (await jobsOf(report.batchId)).reduce((v, j) => (j.updatedAt > v ? j.updatedAt : v), '');
    expect((await h.app.store.getCardAddress(`batch:${report.batchId}`))?.shows).toBe(version);
  });

  it('lets exactly one of several racing approvers decide; the others see who did, and no batch is split', async () => {
    const report = await postBatch(['RACE-1', 'RACE-2', 'RACE-3', 'RACE-4']);
    const clicks = await Promise.all([
      click(alice, 'approve', { batchId: report.batchId, groupTag: 'Kiosk', comment: 'INC1' }),
      click(bob, 'reject', { batchId: report.batchId, reason: 'Not ours' }),
      click(alice, 'approve', { batchId: report.batchId, groupTag: 'Standard', comment: 'INC2' }),
      click(bob, 'approve', { batchId: report.batchId, groupTag: 'Standard', comment: 'INC3' }),
    ]);
    const notices = clicks
      .map((c) => JSON.stringify(c.body.value))
      .filter((t) => t.includes('This batch was already'));
    expect(notices).toHaveLength(3);
    const decided = (await h.app.store.getBatch(report.batchId))!.batch.decision!;
    const jobs = await jobsOf(report.batchId);
    const statuses = new Set(jobs.map((j) => (j.status === 'rejected' ? 'rejected' : 'approved')));
    expect(statuses).toEqual(new Set([decided.verb === 'reject' ? 'rejected' : 'approved']));
    for (const job of jobs) expect((job.approval ?? job.rejection)?.by.id).toBe(decided.by.id);
  });

  it('rejects all with a reason; refuses a non-approver and bad inputs without changing anything', async () => {
    const report = await postBatch(['REJ-1', 'REJ-2']);
    const denied = await click(mallory, 'approve', {
      batchId: report.batchId,
      groupTag: 'Kiosk',
      comment: 'INC9',
    });
    expect(JSON.stringify(denied.body.value)).toContain('Only helpdesk approvers can decide on this batch');
    const invalid = await click(alice, 'reject', { batchId: report.batchId, reason: '' });
    expect(JSON.stringify(invalid.body.value)).toContain('Say why the request is rejected');
    for (const job of await jobsOf(report.batchId)) {
      expect(job.status).toBe('awaiting_approval');
      expect(job.audit.at(-1)).toMatchObject({ action: 'denied', by: { id: mallory.aadObjectId } });
    }
    expect((await h.app.store.getBatch(report.batchId))?.batch.decision).toBeUndefined();

    const rejected = await click(bob, 'reject', { batchId: report.batchId, reason: 'Wrong site' });
    expect(JSON.stringify(rejected.body.value)).toContain('Rejected');
    // The decision reaches the jobs just after the click is answered (batch-decision.ts).
    await until(async () =>
      (await jobsOf(report.batchId)).every((j) => j.status !== 'awaiting_approval') ? true : undefined,
    );
    for (const job of await jobsOf(report.batchId))
      expect(job).toMatchObject({ status: 'rejected', rejection: { reason: 'Wrong site' } });
    await h.app.cards.idle();
    // The last thing the channel got for the card (changes made within a moment are merged into one send).
    const last = [...h.posts(), ...h.updates()].sort((a, b) => a.at - b.at).at(-1)!;
    expect(cardText(last)).toContain('Wrong site');
  });

  it('shows a failed device with its advice, and retries failed devices from the card', async () => {
    const report = await postBatch(['MIX-1', 'BATCH-808']);
    await click(alice, 'approve', { batchId: report.batchId, groupTag: 'Kiosk', comment: 'INC5' });
    await until(async () =>
      (await jobsOf(report.batchId)).every((j) => j.status !== 'approved' && j.status !== 'running')
        ? true
        : undefined,
    );
    await h.app.cards.idle();
    const finished = cardText(h.updates().at(-1)!);
    expect(finished).toContain('Finished: 1 of 2 registered, 1 failed');
    expect(finished).toContain('BATCH-808: 808');

    // Turn the completed device into a retryable failure, as if Intune had timed out on its profile.
    const done = (await jobsOf(report.batchId)).find((j) => j.device.serialNumber === 'MIX-1')!;
    await mutateJob(h.app.store, done.id, (job) => ({
      ...job,
      status: 'failed',
      outcome: undefined,
      error: {
        step: 'await-profile',
        code: 'Timeout',
        name: 'timed out',
        advice: 'Retry later.',
        retryable: true,
      },
    }));
    const retried = await click(bob, 'retry', { batchId: report.batchId });
    expect(retried.status).toBe(200);
    await until(async () =>
      (await h.app.store.get(done.id))?.job.status === 'completed' ? true : undefined,
    );
    const failed808 = (await jobsOf(report.batchId)).find((j) => j.device.serialNumber === 'BATCH-808')!;
    expect(failed808.status).toBe('failed');
    expect(
      (await h.app.store.get(done.id))?.job.audit.filter((a) => a.action === 'retried').map((a) => a.by.id),
    ).toEqual([bob.aadObjectId]);
  });
});
