/**
 * Bulk re-tag through the started service: a file of 200 serial numbers and a new tag (`POST
 * /api/changes/batch`) gives one batch card; rows that cannot change are refused by line; a non-approver's Approve
 * all changes nothing; an approver's takes every device to the new tag, with the card following to the end.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cardProblems } from '../support/card-check.js';
import { HARNESS_KEY, startBotHarness, until, type BotHarness } from '../support/bot-harness.js';
import { alice, cardClick, installation, mallory } from '../support/teams-activities.js';
import { listAll } from '../../services/store/list-all.js';

let h: BotHarness;
beforeEach(async () => {
  h = await startBotHarness();
  await h.toBot(installation(h.connector.url));
});
afterEach(async () => {
  await h.stop();
});

const DEVICES = 200;
const serials = Array.from({ length: DEVICES }, (_, i) => `RETAG-${String(i).padStart(4, '0')}`);

async function postChanges(body: string, groupTag: string) {
  const response = await fetch(`${h.app.url}/api/changes/batch?groupTag=${encodeURIComponent(groupTag)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${HARNESS_KEY}`, 'content-type': 'text/csv' },
    body,
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe('bulk re-tag', () => {
  it(
    `changes the tag of ${DEVICES} devices after one Approve all, and refuses what it cannot change`,
    { timeout: 90_000 },
    async () => {
      const emulator = h.app.graphAccess.emulator!;
      for (const serialNumber of serials)
        emulator.tenant.seedRegisteredDevice({ serialNumber, groupTag: 'Standard' });
      for (const serialNumber of ['TWIN-0001', 'TWIN-0001'])
        emulator.tenant.seedRegisteredDevice({ serialNumber, groupTag: 'Standard' });

      expect((await postChanges('RETAG-0000', 'Finance')).body.error).toMatchObject({
        field: 'query.groupTag',
        message: 'query.groupTag: "Finance" is not one of the configured group tags.',
      });
      const file = [
        'Device Serial Number',
        ...serials,
        'NOT-REGISTERED-1',
        'TWIN-0001',
        'A-B',
        'RETAG-0001',
      ].join('\r\n');
      const reply = await postChanges(file, 'Kiosk');
      expect(reply.status).toBe(202);
      expect(reply.body).toMatchObject({ accepted: DEVICES, refused: 4 });
      expect(reply.body.rows.slice(DEVICES).map((r: { reason: string }) => r.reason)).toEqual([
        'not registered in Autopilot',
        '2 Autopilot records share this serial number; change them one by one (lookup)',
        'serialNumber must be at least 4 characters.',
        'serialNumber appears twice in this file.',
      ]);
      const batchId = reply.body.batchId as string;

      await h.app.cards.idle();
      expect(h.posts()).toHaveLength(1);
      const card = (h.posts()[0]!.body as { activity: { attachments: { content: object }[] } }).activity
        .attachments[0]!.content;
      const text = JSON.stringify(card);
      expect(text).toContain(`Change the group tag to Kiosk: batch of ${DEVICES} devices`);
      expect(text).not.toContain('Autopilot group tag');
      expect(cardProblems(card)).toEqual([]);

      const denied = await h.toBot(
        cardClick(h.connector.url, mallory, 'approve', { batchId, comment: 'INC9' }),
      );
      expect(JSON.stringify(denied.body)).toContain('Only helpdesk approvers can decide on this batch');
      expect((await listAll(h.app.store, { batchId })).every((j) => j.status === 'awaiting_approval')).toBe(
        true,
      );

      await h.toBot(
        cardClick(h.connector.url, alice, 'approve', { batchId, comment: 'INC9 re-tag the lab' }),
      );
      const jobs = await until(async () => {
        const all = await listAll(h.app.store, { batchId });
        return all.every((j) => j.status === 'completed') ? all : undefined;
      }, 60_000);
      expect(jobs).toHaveLength(DEVICES);
      expect(new Set(jobs.map((j) => j.outcome))).toEqual(new Set(['changed']));
      const tags = [...emulator.tenant.autopilot.values()]
        .filter((d) => d.serialNumber.startsWith('RETAG-'))
        .map((d) => d.groupTag);
      expect(tags).toEqual(Array(DEVICES).fill('Kiosk'));
      expect(jobs[0]?.audit.at(-1)?.detail).toBe('changed: tag Standard → Kiosk');
      await h.app.cards.idle();
      await until(() =>
        [...h.posts(), ...h.updates()].some((c) =>
          JSON.stringify(c.body).includes(`Completed: all ${DEVICES} devices changed`),
        ),
      );
    },
  );
});
