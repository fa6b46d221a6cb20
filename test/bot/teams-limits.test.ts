/**
 * The bot against a strict Teams stand-in (per-thread rate limits with 429s, 40 KB UTF-16 messages, 403 outside
 * the teams the app is installed in), through the real CloudAdapter.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startBotHarness, until, type BotHarness } from '../support/bot-harness.js';
import { bob, cardClick, installation, TEAM } from '../support/teams-activities.js';

let harness: BotHarness;
afterEach(async () => {
  await harness.stop();
});

describe('at Teams limits', () => {
  it("keeps every card of a busy channel within the channel's limits: all posted, all final, no 429", async () => {
    harness = await startBotHarness({}, undefined, { strict: { installedTeams: new Set([TEAM]) } });
    const { connector, app } = harness;
    const toBot = (activity: object) => harness.toBot(activity);
    const submit = (serial: string) => harness.submit(serial);
    await toBot(installation(connector.url));
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await submit(`LIMIT-${String(i).padStart(3, '0')}`));
    await until(
      async () =>
        (await Promise.all(ids.map((id) => app.store.getCardAddress(id)))).every(Boolean) ? true : undefined,
      30_000,
    );
    for (const jobId of ids)
      await toBot(cardClick(connector.url, bob, 'reject', { jobId, reason: 'Not ours' }));
    await until(async () => {
      const shown = await Promise.all(
        ids.map(
          async (id) =>
            (await app.store.getCardAddress(id))?.shows === (await app.store.get(id))?.job.updatedAt,
        ),
      );
      return shown.every(Boolean) ? true : undefined;
    }, 30_000);
    const sends = connector.calls.filter((c) => c.method === 'POST' || c.method === 'PUT');
    expect(sends.filter((c) => c.status === 429)).toEqual([]);
    expect(harness.posts().filter((c) => c.status === 201)).toHaveLength(12);
    const last = new Map<string, string>();
    for (const c of harness.updates()) last.set(c.path, JSON.stringify(c.body));
    expect([...last.values()].filter((body) => body.includes('Rejected'))).toHaveLength(12);
  }, 60_000);

  it('tries a post into a team where the app is not installed once: 403 is not retried', async () => {
    harness = await startBotHarness({}, undefined, { strict: { installedTeams: new Set() } });
    const { connector, app } = harness;
    const toBot = (activity: object) => harness.toBot(activity);
    const submit = (serial: string) => harness.submit(serial);
    await toBot(installation(connector.url));
    await submit('NOTIN-001');
    await submit('NOTIN-002');
    await until(() => (harness.posts().length >= 2 ? true : undefined));
    await app.cards.idle();
    expect(harness.posts().map((c) => c.status)).toEqual([403, 403]);
  });
});
