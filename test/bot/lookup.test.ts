/**
 * `lookup <serial>` through the started service: the live Autopilot record from the emulator (exact serial
 * only) and the latest request, for the bound channel and approvers; refused to others; bad serials named.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cardProblems } from '../support/card-check.js';
import { startBotHarness, until, type BotHarness } from '../support/bot-harness.js';
import {
  alice,
  cardClick,
  installation,
  mallory,
  message,
  personalMessage,
} from '../support/teams-activities.js';

let h: BotHarness;
beforeEach(async () => {
  h = await startBotHarness();
  await h.toBot(installation(h.connector.url));
});
afterEach(async () => {
  await h.stop();
});

/** The bot's replies (activities posted into conversations) since `from`. */
const repliesAfter = (from: number) =>
  h.connector.calls
    .slice(from)
    .filter((c) => c.method === 'POST' && /\/activities/.test(c.path))
    .map((c) => c.body as { text?: string; attachments?: { content: object }[] });

describe('lookup', () => {
  it("shows the registered device's live record and its latest request, exactly matched", async () => {
    const jobId = await h.submit('LOOKUP-001');
    await h.toBot(
      cardClick(h.connector.url, alice, 'approve', { jobId, groupTag: 'Kiosk', comment: 'INC5' }),
    );
    await until(
      async () => ((await h.app.store.get(jobId))?.job.status === 'completed' ? true : undefined),
      30_000,
    );
    // Another device whose serial contains this one: never shown for it.
    h.app.graphAccess.emulator?.tenant.seedRegisteredDevice({
      serialNumber: 'LOOKUP-0012',
      groupTag: 'Other',
    });

    const from = h.connector.calls.length;
    await h.toBot(message(h.connector.url, alice, 'lookup LOOKUP-001'));
    const card = await until(() => repliesAfter(from).find((r) => r.attachments)?.attachments?.[0]?.content);
    const text = JSON.stringify(card);
    expect(text).toContain('Autopilot record of LOOKUP-001');
    expect(text).toContain('Registered in Autopilot.');
    expect(text).toContain('"title":"Group tag","value":"Kiosk"');
    // Intune reads manufacturer and model from the hash; the emulator cannot, and names its own.
    expect(text).toContain('"title":"Manufacturer, model","value":"Contoso Model"');
    expect(text).toContain('"title":"Enrollment","value":"Not contacted yet"');
    expect(text).toContain(`job ${jobId}`);
    expect(text).not.toContain('Other');
    expect(cardProblems(card)).toEqual([]);
  });

  it('says a device is not registered, and names what is wrong with a bad serial', async () => {
    let from = h.connector.calls.length;
    await h.toBot(message(h.connector.url, alice, 'lookup NEVERSEEN1'));
    const card = await until(() => repliesAfter(from).find((r) => r.attachments)?.attachments?.[0]?.content);
    expect(JSON.stringify(card)).toContain('Not registered in Autopilot.');
    from = h.connector.calls.length;
    await h.toBot(message(h.connector.url, alice, 'lookup A-B'));
    const reply = await until(() => repliesAfter(from).find((r) => r.text));
    expect(reply.text).toBe('The serial number must be at least 4 characters.');
  });

  it('answers approvers in personal chat and no one else there', async () => {
    let from = h.connector.calls.length;
    await h.toBot(personalMessage(h.connector.url, mallory, 'lookup NEVERSEEN2'));
    const refused = await until(() => repliesAfter(from).find((r) => r.text));
    expect(refused.text).toMatch(
      /^Pending requests, reports, look-ups and exports are shown in the helpdesk channel/,
    );
    from = h.connector.calls.length;
    await h.toBot(personalMessage(h.connector.url, alice, 'lookup NEVERSEEN2'));
    const card = await until(() => repliesAfter(from).find((r) => r.attachments));
    expect(JSON.stringify(card)).toContain('Not registered in Autopilot.');
  });
});
