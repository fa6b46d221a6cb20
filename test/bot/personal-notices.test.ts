/**
 * Requester notices through the real CloudAdapter and the strict Teams stand-in: a personal chat is a thread
 * with Teams' limits of its own, a person who blocked the app answers 403, and what was missed is sent from
 * the store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startBotHarness, until, type BotHarness } from '../support/bot-harness.js';
import {
  alice,
  bob,
  cardClick,
  installation,
  personalInstallation,
  personalMessage,
  TEAM,
} from '../support/teams-activities.js';

const ALICE_CHAT = `a:personal-${alice.aadObjectId}`;
const ALICE = 'alice@contoso.example';

let harness: BotHarness;
afterEach(async () => {
  await harness.stop();
});

async function start(blockedChats = new Set<string>()) {
  harness = await startBotHarness({}, undefined, {
    strict: { installedTeams: new Set([TEAM]), blockedChats },
  });
  await harness.toBot(installation(harness.connector.url));
  return harness;
}

/** What the bot tried to send into Alice's chat, with what the stand-in answered. */
const toAlice = () =>
  harness.connector.calls.filter(
    (c) => c.method === 'POST' && decodeURIComponent(c.path).includes(`/conversations/${ALICE_CHAT}/`),
  );

async function rejectFor(serials: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const serial of serials) ids.push(await harness.submit(serial, { requestedBy: ALICE }));
  for (const jobId of ids)
    await harness.toBot(cardClick(harness.connector.url, bob, 'reject', { jobId, reason: 'Not ours' }));
  return ids;
}

describe('requester notices', () => {
  it("tells each ending once, within the chat's own limits: a burst of 12 waits out Teams' 429s", async () => {
    await start();
    await harness.toBot(personalInstallation(harness.connector.url, alice));
    const serials = Array.from({ length: 12 }, (_, i) => `NOTE-${String(i).padStart(3, '0')}`);
    await rejectFor(serials);
    const told = () => toAlice().filter((c) => c.status === 200 && String(c.body.text).includes('Rejected'));
    await until(() => (told().length >= 12 ? true : undefined), 30_000);
    // Teams' per-thread limit (8 per 2 s) holds for a personal chat as well: some were refused, none was lost.
    expect(toAlice().some((c) => c.status === 429)).toBe(true);
    for (const serial of serials)
      expect([serial, told().filter((c) => String(c.body.text).includes(serial)).length]).toEqual([
        serial,
        1,
      ]);
  }, 60_000);

  it('forgets the chat of a person who blocked the app (403), keeps why, and sends nothing more to it', async () => {
    await start(new Set([ALICE_CHAT]));
    await harness.toBot(personalInstallation(harness.connector.url, alice));
    expect(await harness.app.store.getUserReference(ALICE)).toBeDefined();
    await rejectFor(['BLOCK-001']);
    const dropped = await until(() => harness.app.store.getUserReferenceDrop(ALICE));
    expect(dropped.reason).toBe('403 MessageWritesBlocked');
    expect(await harness.app.store.getUserReference(ALICE)).toBeUndefined();
    const notices = () => toAlice().filter((c) => String(c.body.text).includes('BLOCK-'));
    expect(notices().map((c) => c.status)).toEqual([403]);

    const [second] = await rejectFor(['BLOCK-002']);
    await until(async () =>
      (await harness.app.store.get(second!))?.job.status === 'rejected' ? true : undefined,
    );
    await harness.app.notices.idle();
    expect(notices().map((c) => c.status)).toEqual([403]);

    // Alice unblocks and writes to the bot: the chat is known again and the drop is cleared.
    harness.connector.strict!.blockedChats!.clear();
    await harness.toBot(personalMessage(harness.connector.url, alice, 'my requests'));
    expect(await harness.app.store.getUserReference(ALICE)).toBeDefined();
    expect(await harness.app.store.getUserReferenceDrop(ALICE)).toBeUndefined();
  }, 30_000);

  it('sends from the store what a person could not be told yet, once, when the chats are reconciled', async () => {
    await start();
    const [jobId] = await rejectFor(['LATER-001']);
    const job = await until(async () => {
      const stored = (await harness.app.store.get(jobId!))?.job;
      return stored?.status === 'rejected' ? stored : undefined;
    });
    await harness.app.notices.idle();
    expect(toAlice()).toEqual([]);
    // Alice installs the app later; the periodic reconcile (here called at once) tells her, and only once.
    await harness.toBot(personalInstallation(harness.connector.url, alice));
    await harness.app.notices.reconcile([job]);
    await harness.app.notices.idle();
    await harness.app.notices.reconcile([job]);
    await harness.app.notices.idle();
    const told = toAlice().filter((c) => String(c.body.text).includes('LATER-001'));
    expect(told.map((c) => c.status)).toEqual([200]);
    expect(told[0]!.body.textFormat).toBe('plain');
  }, 30_000);
});
