/**
 * Who binds the helpdesk channel, through the real CloudAdapter: installs in other teams, app upgrades and
 * removals leave the binding where it belongs; an approver's install moves it and tells the old channel.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startBotHarness, until, type BotHarness } from '../support/bot-harness.js';
import {
  alice,
  installation,
  mallory,
  message,
  messageInTeam,
  OTHER_TEAM,
  personalInstallation,
  personalMessage,
  TEAM,
} from '../support/teams-activities.js';

let harness: BotHarness;
afterEach(async () => {
  await harness.stop();
});

const boundTeam = async () => (await harness.app.store.getChannelBinding())?.teamId;

describe('binding the helpdesk channel', () => {
  it('binds on the first install, and an install by a non-approver in another team moves nothing', async () => {
    harness = await startBotHarness();
    const { connector } = harness;
    await harness.toBot(installation(connector.url, { from: mallory }));
    expect(await boundTeam()).toBe(TEAM);
    await harness.toBot(installation(connector.url, { from: mallory, team: OTHER_TEAM }));
    expect(await boundTeam()).toBe(TEAM);
    await harness.submit('BIND-0001');
    const posted = await until(() => harness.posts()[0]);
    expect(posted.body.channelData.channel.id).toBe(TEAM);
  });

  it('never binds on an app upgrade, and says no welcome again in personal chat', async () => {
    harness = await startBotHarness();
    const { connector } = harness;
    await harness.toBot(installation(connector.url));
    await harness.toBot(installation(connector.url, { action: 'add-upgrade', team: OTHER_TEAM }));
    expect(await boundTeam()).toBe(TEAM);
    await harness.toBot(personalInstallation(connector.url, alice));
    await harness.toBot(personalInstallation(connector.url, alice, 'add-upgrade'));
    const welcomes = connector.calls.filter(
      (c) => c.method === 'POST' && /^Welcome!/.test(String(c.body?.text)),
    );
    expect(welcomes).toHaveLength(1);
  });

  it("moves on an approver's install, and tells the old channel where the cards went", async () => {
    harness = await startBotHarness();
    const { connector } = harness;
    await harness.toBot(installation(connector.url));
    await harness.toBot(installation(connector.url, { team: OTHER_TEAM, teamName: 'Service Desk' }));
    expect(await boundTeam()).toBe(OTHER_TEAM);
    const note = await until(() =>
      connector.calls.find(
        (c) => c.method === 'POST' && String(c.body?.text).startsWith('Approval cards are now posted'),
      ),
    );
    expect(note.path).toContain(encodeURIComponent(TEAM));
    expect(note.body.text).toBe(
      'Approval cards are now posted in a channel of the team Service Desk (moved by Alice Approver).',
    );
  });

  it('forgets the binding when the app is removed from the bound team, not from another', async () => {
    harness = await startBotHarness();
    const { connector } = harness;
    await harness.toBot(installation(connector.url));
    await harness.toBot(installation(connector.url, { action: 'remove', team: OTHER_TEAM }));
    expect(await boundTeam()).toBe(TEAM);
    await harness.toBot(installation(connector.url, { action: 'remove' }));
    expect(await boundTeam()).toBeUndefined();
  });

  it('keeps a configured channel when someone who is not an approver installs the app', async () => {
    harness = await startBotHarness({ TEAMS_TEAM_ID: TEAM, TEAMS_SERVICE_URL: 'http://127.0.0.1:9' });
    await harness.toBot(installation(harness.connector.url, { from: mallory, team: OTHER_TEAM }));
    expect(await boundTeam()).toBe(TEAM);
  });
});

describe('what people may read', () => {
  it('answers "pending" and "report" in the helpdesk channel only, and to approvers in personal chat', async () => {
    harness = await startBotHarness();
    const { connector } = harness;
    await harness.toBot(installation(connector.url));
    await harness.submit('PRIV-0001');
    const replies = () =>
      connector.calls.filter((c) => c.method === 'POST' && !/\/v3\/conversations\/?$/.test(c.path));
    await harness.toBot(messageInTeam(connector.url, alice, 'pending', OTHER_TEAM));
    expect(String(replies().at(-1)?.body.text)).toMatch(
      /^Pending requests, reports, look-ups and exports are shown in the helpdesk channel/,
    );
    await harness.toBot(message(connector.url, mallory, 'pending'));
    expect(JSON.stringify(replies().at(-1)?.body)).toContain('PRIV');
    await harness.toBot(personalMessage(connector.url, mallory, 'pending'));
    expect(String(replies().at(-1)?.body.text)).toMatch(
      /^Pending requests, reports, look-ups and exports are shown/,
    );
    await harness.toBot(personalMessage(connector.url, alice, 'report'));
    expect(JSON.stringify(replies().at(-1)?.body)).toContain('AdaptiveCard');
  });

  it('shows the full card of a request to approvers and to the people it is about, the status line to others', async () => {
    harness = await startBotHarness();
    const { connector } = harness;
    await harness.submit('PRIV-0002', { requestedBy: 'mallory@contoso.example' });
    await harness.submit('PRIV-0003', {
      requestedBy: 'someone@contoso.example',
      assignedUser: 'someone@contoso.example',
    });
    const lastPersonal = () =>
      connector.calls.filter((c) => c.method === 'POST' && c.path.includes('personal')).at(-1);
    await harness.toBot(personalMessage(connector.url, mallory, 'status PRIV-0003'));
    expect(lastPersonal()?.body).toMatchObject({ text: 'PRIV-0003: Waiting for approval' });
    expect(JSON.stringify(lastPersonal()?.body)).not.toContain('someone@contoso');
    await harness.toBot(personalMessage(connector.url, mallory, 'status PRIV-0002'));
    expect(JSON.stringify(lastPersonal()?.body)).toContain('Autopilot registration: PRIV');
    await harness.toBot(personalMessage(connector.url, alice, 'status PRIV-0003'));
    expect(JSON.stringify(lastPersonal()?.body)).toContain('someone@contoso');
  });
});
