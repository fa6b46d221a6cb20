/**
 * The bot through HTTP with the real CloudAdapter (authentication off, as in local use), the whole service
 * behind it, and a fake Teams connector that records what the channel would show.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../bot/app.js';
import { mutateJob } from '../../services/store/mutate.js';
import { type FakeConnector } from '../support/fake-connector.js';
import { cardText, startBotHarness, until, type BotHarness } from '../support/bot-harness.js';
import {
  alice,
  bob,
  cardClick,
  installation,
  mallory,
  message,
  personalInstallation,
  personalMessage,
} from '../support/teams-activities.js';
import { cardProblems, executeActions } from '../support/card-check.js';

let harness: BotHarness;
let app: RunningApp;
let connector: FakeConnector;

beforeEach(async () => {
  harness = await startBotHarness();
  ({ app, connector } = harness);
});
afterEach(async () => {
  await harness.stop();
});

const toBot = (activity: object) => harness.toBot(activity);
const submit = (serialNumber: string, extra: Record<string, string> = {}) =>
  harness.submit(serialNumber, extra);

describe('the Teams bot', () => {
  it('binds the channel on install, posts the approval card, takes an approval and walks the card to Completed', async () => {
    expect((await toBot(installation(connector.url))).status).toBe(200);
    const jobId = await submit('TEAMS-1');
    const posted = await until(() =>
      connector.calls.find((c) => c.method === 'POST' && /\/v3\/conversations\/?$/.test(c.path)),
    );
    expect(cardText(posted)).toContain('Waiting for approval');
    // Teams' activity feed reads the post's summary; the card carries the same plain text as its fallback.
    expect(posted.body.activity.summary).toBe('Approval needed: TEAMS-1');
    expect(posted.body.activity.attachments[0].content.fallbackText).toBe('Approval needed: TEAMS-1');
    expect(cardText(posted)).not.toContain(
      ((await app.store.get(jobId))?.job.hardwareHash ?? 'x').slice(0, 40),
    );

    const click = await toBot(
      cardClick(connector.url, alice, 'approve', { jobId, groupTag: 'Kiosk', comment: 'INC0042 new board' }),
    );
    expect(click.status).toBe(200);
    expect(click.body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(click.body.value)).toContain('Approved');

    await until(async () => ((await app.store.get(jobId))?.job.status === 'completed' ? true : undefined));
    await app.cards.idle();
    const updates = connector.calls.filter((c) => c.method === 'PUT');
    expect(updates.length).toBeGreaterThan(0);
    expect(cardText(updates.at(-1)!)).toContain('Completed: the device is registered with Autopilot');
    expect((await app.store.getCardAddress(jobId))?.shows).toBe((await app.store.get(jobId))?.job.updatedAt);
  });

  it('refuses a non-approver, changing nothing, and tells why', async () => {
    await toBot(installation(connector.url));
    const jobId = await submit('TEAMS-2');
    const click = await toBot(
      cardClick(connector.url, mallory, 'approve', { jobId, groupTag: 'Kiosk', comment: 'INC1' }),
    );
    expect(click.status).toBe(200);
    expect(JSON.stringify(click.body.value)).toContain('Only helpdesk approvers can decide');
    const job = (await app.store.get(jobId))?.job;
    expect(job?.status).toBe('awaiting_approval');
    expect(job?.audit.at(-1)).toMatchObject({ action: 'denied', by: { id: mallory.aadObjectId } });
  });

  it('shows a validation problem beside the input with HTTP 200', async () => {
    await toBot(installation(connector.url));
    const jobId = await submit('TEAMS-3');
    const click = await toBot(
      cardClick(connector.url, alice, 'approve', { jobId, groupTag: 'Kiosk', comment: '' }),
    );
    expect(click.status).toBe(200);
    expect(JSON.stringify(click.body.value)).toContain('Enter the ticket or a comment');
    expect((await app.store.get(jobId))?.job.status).toBe('awaiting_approval');
  });

  it('lets one of two racing approvers decide; the other sees who did', async () => {
    await toBot(installation(connector.url));
    const jobId = await submit('TEAMS-4');
    const [a, b] = await Promise.all([
      toBot(cardClick(connector.url, alice, 'approve', { jobId, groupTag: 'Standard', comment: 'INC7' })),
      toBot(cardClick(connector.url, bob, 'reject', { jobId, reason: 'Not ours' })),
    ]);
    const texts = [JSON.stringify(a.body.value), JSON.stringify(b.body.value)];
    expect(texts.filter((t) => t.includes('Already decided by'))).toHaveLength(1);
  });

  it('refuses activities from another tenant', async () => {
    await toBot(installation(connector.url));
    const jobId = await submit('TEAMS-5');
    const click = await toBot(
      cardClick(
        connector.url,
        alice,
        'approve',
        { jobId, groupTag: 'Kiosk', comment: 'INC1' },
        '11111111-1111-1111-1111-111111111111',
      ),
    );
    expect(click.status).toBe(403);
    expect((await app.store.get(jobId))?.job.status).toBe('awaiting_approval');
  });

  it('holds cards submitted before any channel is bound, and posts them when an approver binds one', async () => {
    await submit('TEAMS-6');
    await app.cards.idle();
    expect(
      connector.calls.filter((c) => c.method === 'POST' && /\/v3\/conversations\/?$/.test(c.path)),
    ).toEqual([]);
    await toBot(message(connector.url, mallory, 'bind here'));
    expect(await app.store.getChannelBinding()).toBeUndefined();
    await toBot(message(connector.url, alice, 'bind here'));
    await until(() =>
      connector.calls.find((c) => c.method === 'POST' && /\/v3\/conversations\/?$/.test(c.path)),
    );
  });

  it('answers "pending" and "report" in the channel with cards', async () => {
    await toBot(installation(connector.url));
    await submit('PEND-1');
    await submit('PEND-2');
    const jobId = await submit('PEND-3');
    await toBot(cardClick(connector.url, alice, 'reject', { jobId, reason: 'Duplicate' }));
    await toBot(message(connector.url, bob, 'pending'));
    await toBot(message(connector.url, bob, 'report 7'));
    const replies = connector.calls
      .filter((c) => c.method === 'POST' && /\/activities/.test(c.path))
      .map((c) => c.body);
    const pending = replies.find((r) => JSON.stringify(r).includes('Waiting for approval (2)'));
    expect(JSON.stringify(pending)).toContain('PEND-1');
    expect(JSON.stringify(pending)).not.toContain('PEND-3');
    expect(cardProblems(pending.attachments[0].content)).toEqual([]);
    const report = replies.find((r) => JSON.stringify(r).includes('the last 7 days'));
    expect(JSON.stringify(report)).toContain('Alice Approver: 0 approved, 1 rejected');
    expect(cardProblems(report.attachments[0].content)).toEqual([]);
  });

  it('lists the newest 25 pending requests and counts the rest, from the store', async () => {
    await toBot(installation(connector.url));
    for (let i = 0; i < 27; i++) await submit(`MANY-${String(i).padStart(2, '0')}`);
    await toBot(message(connector.url, bob, 'pending'));
    const pending = await until(() =>
      connector.calls.find((c) => JSON.stringify(c.body).includes('Waiting for approval (27)')),
    );
    const text = JSON.stringify(pending.body);
    expect(text).toContain('…and 2 more.');
    expect(text).toContain('MANY-26');
    expect(text).not.toContain('MANY-00');
  });

  it('answers "export" in the bound channel with the way to the export API, and nothing to others', async () => {
    await toBot(installation(connector.url));
    await toBot(message(connector.url, bob, 'export'));
    await toBot(personalMessage(connector.url, mallory, 'export'));
    const replies = connector.calls.filter((c) => c.method === 'POST' && /\/activities/.test(c.path));
    const inChannel = replies.find((c) => JSON.stringify(c.body).includes('/api/exports/jobs'));
    expect(inChannel?.path).not.toContain('personal');
    expect(String(inChannel?.body.text)).toMatch(/format=csv/);
    expect(String(inChannel?.body.text)).toContain('REPORT_KEYS');
    const toMallory = replies.filter((c) => c.path.includes('personal')).map((c) => String(c.body.text));
    expect(toMallory.some((t) => t.includes('/api/exports/jobs'))).toBe(false);
  });

  it('welcomes a user, answers "status" with a read-only card and "my requests" with their requests', async () => {
    await toBot(installation(connector.url));
    await toBot(personalInstallation(connector.url, alice));
    const mine = await submit('MINE-1', { requestedBy: 'alice@contoso.example' });
    await submit('THEIRS-1', { requestedBy: 'bob@contoso.example' });
    await toBot(personalMessage(connector.url, alice, 'status MINE-1'));
    await toBot(personalMessage(connector.url, alice, 'my requests'));
    await toBot(personalMessage(connector.url, alice, 'what can you do'));
    const personal = connector.calls
      .filter((c) => c.method === 'POST' && c.path.includes('personal'))
      .map((c) => c.body);
    expect(personal[0].text).toMatch(/^Welcome!/);
    const status = personal.find(
      (r) => JSON.stringify(r).includes('Autopilot registration: MINE') && r.attachments,
    );
    expect(executeActions(status.attachments[0].content)).toEqual([]);
    expect(JSON.stringify(status)).toContain(mine);
    const requests = personal.find((r) => JSON.stringify(r).includes('Your requests'));
    expect(JSON.stringify(requests)).toContain('MINE');
    expect(JSON.stringify(requests)).not.toContain('THEIRS');
    expect(personal.at(-1).text).toContain('my requests');
  });

  it('tells the person a device was requested for how it ended, in their personal chat', async () => {
    await toBot(installation(connector.url));
    await toBot(personalInstallation(connector.url, alice));
    const done = await submit('NOTIFY-1', { requestedBy: 'alice@contoso.example' });
    const refused = await submit('NOTIFY-2', { requestedBy: 'alice@contoso.example' });
    await toBot(
      cardClick(connector.url, bob, 'approve', { jobId: done, groupTag: 'Kiosk', comment: 'INC5' }),
    );
    await toBot(cardClick(connector.url, bob, 'reject', { jobId: refused, reason: 'Not a company device' }));
    const toAlice = () =>
      connector.calls
        .filter((c) => c.method === 'POST' && c.path.includes('personal-aad-alice'))
        .map((c) => String(c.body.text ?? ''));
    await until(() => toAlice().some((t) => t.includes('NOTIFY-1: Completed: the device is registered')));
    // The status line only: who rejected and why is on the card, which `status` shows Alice as the requester.
    const rejected = toAlice().find((t) => t.includes('NOTIFY-2'));
    expect(rejected).toBe(
      'Your Autopilot request for device NOTIFY-2: Rejected. Write "status NOTIFY-2" for the details.',
    );
    expect(rejected).not.toContain('Not a company device');
    expect(toAlice().filter((t) => t.includes('NOTIFY-1'))).toHaveLength(1);
  });

  it('retries a job that failed with a retryable error when an approver clicks Retry', async () => {
    await toBot(installation(connector.url));
    const jobId = await submit('RETRY-1');
    await toBot(cardClick(connector.url, alice, 'approve', { jobId, groupTag: 'Kiosk', comment: 'INC3' }));
    await until(async () => ((await app.store.get(jobId))?.job.status === 'completed' ? true : undefined));
    // Rewind the finished job to a retryable failure at the profile wait, as if Intune had timed out.
    await mutateJob(app.store, jobId, (job) => ({
      ...job,
      status: 'failed',
      outcome: undefined,
      error: {
        step: 'await-profile',
        code: 'Timeout',
        name: 'await-profile-timed-out',
        advice: 'Retry later.',
        retryable: true,
      },
      steps: job.steps.map((s) => (s.name === 'await-profile' ? { ...s, state: 'failed' as const } : s)),
    }));
    const denied = await toBot(cardClick(connector.url, mallory, 'retry', { jobId }));
    expect(JSON.stringify(denied.body.value)).toContain('Only helpdesk approvers');
    const click = await toBot(cardClick(connector.url, bob, 'retry', { jobId }));
    expect(click.status).toBe(200);
    await until(async () => ((await app.store.get(jobId))?.job.status === 'completed' ? true : undefined));
    const job = (await app.store.get(jobId))?.job;
    expect(job?.audit.filter((a) => a.action === 'retried').map((a) => a.by.id)).toEqual([bob.aadObjectId]);
  });

  it('answers a turn that fails with a safe message and a reference, never the error itself', async () => {
    connector.failMembers = true;
    await toBot(personalMessage(connector.url, alice, 'my requests'));
    const reply = await until(() =>
      connector.calls.find(
        (c) => c.method === 'POST' && String(c.body?.text ?? '').startsWith('Something went wrong'),
      ),
    );
    expect(reply.body.text).toMatch(/reference [0-9a-f-]{36}/);
    // The reference is a random UUID, which may hold "500" by chance: only the rest must not tell the error.
    const told = String(reply.body.text).replace(/reference [0-9a-f-]{36}/, '');
    expect(told).not.toMatch(/500|ServiceError|stack/i);
  });

  it('waits out 429s from Teams on card updates and still delivers the final state', async () => {
    await toBot(installation(connector.url));
    const jobId = await submit('THROTTLED-1');
    await until(() =>
      connector.calls.find((c) => c.method === 'POST' && /\/v3\/conversations\/?$/.test(c.path)),
    );
    // More 429s than botbuilder's own retries absorb, so that the card queue has to wait them out itself.
    connector.throttleNextUpdates(6, 1);
    await toBot(cardClick(connector.url, alice, 'reject', { jobId, reason: 'Duplicate request' }));
    await until(
      async () =>
        (await app.store.getCardAddress(jobId))?.shows === (await app.store.get(jobId))?.job.updatedAt
          ? true
          : undefined,
      30_000,
    );
    const puts = connector.calls.filter((c) => c.method === 'PUT');
    expect(puts.length).toBeGreaterThan(6);
    expect(JSON.stringify(puts.at(-1)?.body)).toContain('Rejected');
  });
});
