/**
 * Races: 20 approvers click within 100 ms on the same card, each with their own decision. Exactly one decision is
 * recorded; everyone else is told who decided. For a single device's card and for a CSV batch's card.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAll } from '../../services/store/list-all.js';
import { HARNESS_KEY, startBotHarness, until, type BotHarness } from '../support/bot-harness.js';
import { fakeHardwareHash } from '../support/jobs.js';
import { sleep } from '../support/reliability.js';
import { cardClick, installation, type Person } from '../support/teams-activities.js';

const approvers: Person[] = Array.from({ length: 20 }, (_, i) => ({
  id: `29:approver-${i}`,
  name: `Approver ${i}`,
  aadObjectId: `aad-approver-${i}`,
}));

let h: BotHarness;
beforeAll(async () => {
  h = await startBotHarness({ APPROVER_IDS: approvers.map((a) => a.aadObjectId).join(',') });
  await h.toBot(installation(h.connector.url));
});
afterAll(async () => {
  await h.stop();
});

/** Each approver clicks once, all within 100 ms: half approve (each with their own ticket), half reject. */
function race(target: Record<string, string>) {
  return Promise.all(
    approvers.map(async (person, i) => {
      await sleep(Math.random() * 100);
      const data =
        i % 2
          ? { ...target, reason: `No, says ${person.name}` }
          : { ...target, groupTag: 'Kiosk', comment: `INC-${i}` };
      const reply = await h.toBot(cardClick(h.connector.url, person, i % 2 ? 'reject' : 'approve', data));
      expect(reply.status).toBe(200);
      return JSON.stringify(reply.body.value);
    }),
  );
}

describe('racing approvers', () => {
  it('20 clicks on one device card: one decision, and the other 19 see who made it', async () => {
    const jobId = await h.submit('RACE-ONE');
    const replies = await race({ jobId });
    const job = (await h.app.store.get(jobId))!.job;
    const decisions = job.audit.filter((a) => a.action === 'approved' || a.action === 'rejected');
    expect(decisions).toHaveLength(1);
    const winner = decisions[0]!.by.name!;
    expect(replies.filter((r) => r.includes(`Already decided by ${winner}`))).toHaveLength(19);
  });

  it('20 clicks on one batch card: one decision for every device, and the other 19 see who made it', async () => {
    const csv = [
      'Device Serial Number,Windows Product ID,Hardware Hash',
      ...Array.from({ length: 10 }, (_, i) => `RACE-B${i},,${fakeHardwareHash()}`),
    ].join('\r\n');
    const response = await fetch(`${h.app.url}/api/submissions/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${HARNESS_KEY}`, 'content-type': 'text/csv' },
      body: csv,
    });
    const { batchId } = (await response.json()) as { batchId: string };
    const replies = await race({ batchId });
    const decision = (await h.app.store.getBatch(batchId))!.batch.decision!;
    const winner = decision.by.name!;
    expect(replies.filter((r) => r.includes(`This batch was already`) && r.includes(winner))).toHaveLength(
      19,
    );
    // The decision reaches the jobs in the background, after the clicks were answered.
    const jobs = await until(async () => {
      const all = await listAll(h.app.store, { batchId });
      return all.every((j) => j.status !== 'awaiting_approval') ? all : undefined;
    });
    for (const job of jobs) {
      const decided = job.audit.filter((a) => a.action === 'approved' || a.action === 'rejected');
      expect(decided.map((a) => [a.action, a.by.name])).toEqual([
        [decision.verb === 'approve' ? 'approved' : 'rejected', winner],
      ]);
    }
  });
});
