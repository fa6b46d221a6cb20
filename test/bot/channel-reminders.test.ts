/**
 * Reminders as Teams receives them, through the started service and the real CloudAdapter: a reply in the thread
 * of the request's card (the channel conversation with `;messageid=` of the card), and the digest as a new post.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cardProblems } from '../support/card-check.js';
import { cardText, startBotHarness, until, type BotHarness } from '../support/bot-harness.js';
import { installation } from '../support/teams-activities.js';

let h: BotHarness;
beforeEach(async () => {
  h = await startBotHarness();
  await h.toBot(installation(h.connector.url));
});
afterEach(async () => {
  await h.stop();
});

describe('reminders in the helpdesk channel', () => {
  it("replies in the thread of the request's card", async () => {
    const jobId = await h.submit('REMIND-1');
    const address = await until(() => h.app.store.getCardAddress(jobId));
    const job = (await h.app.store.get(jobId))!.job;
    expect(
      await h.app.reminders.remind(job, 'Reminder: this request has waited for approval for 24 hours.'),
    ).toBe(true);
    const reply = h.connector.calls.at(-1)!;
    expect(reply.method).toBe('POST');
    const conversation = decodeURIComponent(/\/v3\/conversations\/([^/]+)\/activities/.exec(reply.path)![1]!);
    expect(conversation).toMatch(new RegExp(`;messageid=${address.activityId}$`));
    expect(reply.body).toMatchObject({
      type: 'message',
      text: 'Reminder: this request has waited for approval for 24 hours.',
    });
  });

  it('says so when the request has no card yet', async () => {
    const jobId = await h.submit('REMIND-2');
    await until(() => h.app.store.getCardAddress(jobId));
    const job = (await h.app.store.get(jobId))!.job;
    expect(await h.app.reminders.remind({ ...job, id: 'no-card-yet' }, 'x')).toBe(false);
  });

  it('posts the digest as a new card in the bound channel', async () => {
    const ids = [await h.submit('DIGEST-1'), await h.submit('DIGEST-2')];
    await h.app.cards.idle();
    const before = h.posts().length;
    const jobs = await h.app.store.peek(ids);
    await h.app.reminders.digest({ jobs, total: 7 }, new Date());
    const posts = h.posts();
    expect(posts).toHaveLength(before + 1);
    const text = cardText(posts.at(-1)!);
    expect(text).toContain('Daily digest: 7 requests wait for approval');
    expect(text).toContain('DIGEST-1');
    expect(text).toContain('…and 5 more.');
    expect(cardProblems(posts.at(-1)!.body.activity.attachments[0].content)).toEqual([]);
  });
});
