/**
 * A device's later life from Teams, through the started service (real CloudAdapter, intake API, pipeline and
 * Graph emulator): actions on the look-up card (tag, name, user, deregister) as jobs with their audit, a refused
 * non-approver, deregistration in Microsoft's order with a confirmation for an enrolled device, and Update it /
 * Replace it on the approval card of a device already registered.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImportJob } from '../../services/domain/job.js';
import { cardProblems } from '../support/card-check.js';
import { startBotHarness, until, type BotHarness } from '../support/bot-harness.js';
import { alice, cardClick, installation, mallory, message } from '../support/teams-activities.js';

let h: BotHarness;
beforeEach(async () => {
  h = await startBotHarness();
  await h.toBot(installation(h.connector.url));
});
afterEach(async () => {
  await h.stop();
});

const tenant = () => {
  const emulator = h.app.graphAccess.emulator;
  if (!emulator) throw new Error('the harness runs the in-process emulator');
  return emulator;
};

const recordOf = (serial: string) =>
  [...tenant().tenant.autopilot.values()].find((d) => d.serialNumber === serial);

/** Sends `lookup <serial>` in the channel and returns the card the bot answered with. */
async function lookupCard(serial: string): Promise<object> {
  const from = h.connector.calls.length;
  await h.toBot(message(h.connector.url, alice, `lookup ${serial}`));
  // The bot's answer, not an update of some job's card that lands meanwhile.
  return until(() =>
    h.connector.calls
      .slice(from)
      .filter((c) => c.method === 'POST')
      .map((c) => (c.body as { attachments?: { content: object }[] }).attachments?.[0]?.content)
      .find((card) => card && JSON.stringify(card).includes(`Autopilot record of ${serial}`)),
  );
}

/** A click on a look-up card's action; the invoke's answer (a card, or a message). */
async function act(person: typeof alice, verb: string, serial: string, inputs: Record<string, string>) {
  const recordId = recordOf(serial)?.id ?? 'gone';
  const reply = await h.toBot(cardClick(h.connector.url, person, verb, { serial, recordId, ...inputs }));
  expect(reply.status).toBe(200);
  return reply.body as { type: string; value: unknown };
}

const jobsOf = async (serial: string) => (await h.app.store.list({ serialNumber: serial, limit: 50 })).items;

async function finished(serial: string, count: number): Promise<ImportJob> {
  return until(async () => {
    const jobs = await jobsOf(serial);
    const newest = jobs[0];
    return jobs.length === count && newest && ['completed', 'failed'].includes(newest.status)
      ? newest
      : undefined;
  }, 30_000);
}

describe('actions on the look-up card', () => {
  it(
    'changes the tag, the name and the user, each as a job that keeps the old and new value',
    { timeout: 90_000 },
    async () => {
      tenant().tenant.seedRegisteredDevice({ serialNumber: 'LIFE-0001', groupTag: 'Standard' });
      const card = await lookupCard('LIFE-0001');
      const text = JSON.stringify(card);
      for (const action of ['Change group tag', 'Set device name', 'Assign user', 'Deregister'])
        expect(text).toContain(action);
      expect(cardProblems(card)).toEqual([]);

      const started = await act(alice, 'retag', 'LIFE-0001', { groupTag: 'Kiosk', comment: 'INC100' });
      expect(JSON.stringify(started.value)).toContain('Started: change tag Kiosk');
      const retag = await finished('LIFE-0001', 1);
      expect(retag).toMatchObject({
        kind: 'change',
        status: 'completed',
        outcome: 'changed',
        hardwareHash: null,
      });
      expect(recordOf('LIFE-0001')?.groupTag).toBe('Kiosk');
      expect(retag.audit.map((e) => [e.action, e.detail])).toEqual([
        ['submitted', 'teams'],
        ['approved', 'tag Standard → Kiosk; ticket INC100'],
        ['completed', 'changed: tag Standard → Kiosk'],
      ]);
      expect(retag.steps.map((s) => [s.name, s.state])).toEqual([
        ['check-device', 'succeeded'],
        ['apply-change', 'succeeded'],
        ['verify-change', 'succeeded'],
      ]);
      // The job's own card in the channel walks to its end.
      await until(() =>
        [...h.posts(), ...h.updates()].some((c) =>
          JSON.stringify(c.body).includes('Completed: Intune shows the change'),
        ),
      );

      // A bad name is refused beside its input; nothing is stored.
      const refused = await act(alice, 'rename', 'LIFE-0001', { deviceName: 'BAD NAME!', comment: 'INC101' });
      expect(JSON.stringify(refused.value)).toContain('letters, digits and hyphens');
      expect(await jobsOf('LIFE-0001')).toHaveLength(1);

      await act(alice, 'rename', 'LIFE-0001', { deviceName: 'KIOSK-01', comment: 'INC101' });
      await finished('LIFE-0001', 2);
      expect(recordOf('LIFE-0001')?.displayName).toBe('KIOSK-01');

      await act(alice, 'assignUser', 'LIFE-0001', { user: 'ada@contoso.example', comment: 'INC102' });
      await finished('LIFE-0001', 3);
      expect(recordOf('LIFE-0001')?.userPrincipalName).toBe('ada@contoso.example');

      await act(alice, 'removeUser', 'LIFE-0001', { comment: 'INC103' });
      const removal = await finished('LIFE-0001', 4);
      expect(removal.audit.at(-1)?.detail).toBe('changed: user ada@contoso.example → removed');
      expect(recordOf('LIFE-0001')?.userPrincipalName).toBe('');
    },
  );

  it(
    "refuses a non-approver's click and an action without a ticket; nothing is stored or changed",
    { timeout: 90_000 },
    async () => {
      tenant().tenant.seedRegisteredDevice({ serialNumber: 'LIFE-0002', groupTag: 'Standard' });
      for (const verb of ['retag', 'rename', 'assignUser', 'removeUser', 'deregister']) {
        const denied = await act(mallory, verb, 'LIFE-0002', {
          comment: 'INC1',
          groupTag: 'Kiosk',
          deviceName: 'PC-1',
          user: 'eve@contoso.example',
        });
        expect(denied.value).toBe('Only helpdesk approvers can change a device. Your attempt was recorded.');
      }
      const noTicket = await act(alice, 'retag', 'LIFE-0002', { groupTag: 'Kiosk', comment: '' });
      expect(JSON.stringify(noTicket.value)).toContain('Enter the ticket or a comment.');
      expect(await jobsOf('LIFE-0002')).toHaveLength(0);
      expect(recordOf('LIFE-0002')?.groupTag).toBe('Standard');
      expect(
        tenant()
          .log.graphRequests()
          .filter((e) => e.method !== 'GET'),
      ).toEqual([]);
    },
  );

  it(
    "deregisters in Microsoft's order, an enrolled device only once confirmed, and leaves the Entra object",
    { timeout: 90_000 },
    async () => {
      const seeded = tenant().tenant.seedRegisteredDevice({ serialNumber: 'LIFE-0003', groupTag: 'Kiosk' });
      seeded.userPrincipalName = 'ada@contoso.example';
      const managedId = tenant().tenant.enroll(seeded.id);
      const entraBefore = tenant().tenant.entra.size;

      const unconfirmed = await act(alice, 'deregister', 'LIFE-0003', { comment: 'INC200' });
      expect(JSON.stringify(unconfirmed.value)).toContain('Tick the box to confirm');
      expect(await jobsOf('LIFE-0003')).toHaveLength(0);

      tenant().log.clear();
      await act(alice, 'deregister', 'LIFE-0003', { comment: 'INC200', confirmEnrolled: 'true' });
      const job = await finished('LIFE-0003', 1);
      expect(job).toMatchObject({ kind: 'deregister', status: 'completed', outcome: 'deregistered' });
      const writes = tenant()
        .log.entries.filter((e) => e.method !== 'GET' && e.path !== '/$batch')
        .map((e) => `${e.method} ${e.path.replace(/[0-9a-f-]{36}/g, '{id}')} ${e.status}`);
      expect(writes).toEqual([
        'DELETE /deviceManagement/managedDevices/{id} 204',
        'POST /deviceManagement/windowsAutopilotDeviceIdentities/{id}/unassignUserFromDevice 204',
        'DELETE /deviceManagement/windowsAutopilotDeviceIdentities/{id} 200',
      ]);
      expect(tenant().tenant.managedDevices.has(managedId)).toBe(false);
      expect(recordOf('LIFE-0003')).toBeUndefined();
      expect(tenant().tenant.deletesBySerial.get('LIFE-0003')).toBe(1);
      expect(tenant().tenant.entra.size).toBe(entraBefore);
      expect(JSON.stringify(await lookupCard('LIFE-0003'))).toContain('Not registered in Autopilot.');
    },
  );
});

describe('a device already registered, decided on its approval card', () => {
  it(
    'offers Update it, which changes the existing record and imports nothing',
    { timeout: 90_000 },
    async () => {
      tenant().tenant.seedRegisteredDevice({ serialNumber: 'LIFE-0004', groupTag: 'Standard' });
      const jobId = await h.submit('LIFE-0004', { assignedUser: 'grace@contoso.example' });
      const post = await until(() => h.posts().find((c) => JSON.stringify(c.body).includes('LIFE-0004')));
      const text = JSON.stringify(post.body);
      expect(text).toContain('Registered record');
      expect(text).toContain('Update it');
      expect(text).toContain('Replace it');
      expect(text).not.toContain('"title":"Approve"');

      await h.toBot(
        cardClick(h.connector.url, alice, 'update', {
          jobId,
          groupTag: 'Kiosk',
          comment: 'INC300',
          deviceName: 'PC-4',
        }),
      );
      const job = await finished('LIFE-0004', 1);
      expect(job).toMatchObject({
        kind: 'change',
        status: 'completed',
        outcome: 'changed',
        hardwareHash: null,
      });
      expect(recordOf('LIFE-0004')).toMatchObject({
        groupTag: 'Kiosk',
        displayName: 'PC-4',
        userPrincipalName: 'grace@contoso.example',
      });
      expect(tenant().log.uploadsBySerial().get('LIFE-0004')).toBeUndefined();
    },
  );

  it(
    'offers Replace it: the old record (and its enrolled Intune device, once confirmed) goes, then the hash is imported',
    { timeout: 90_000 },
    async () => {
      const old = tenant().tenant.seedRegisteredDevice({ serialNumber: 'LIFE-0005', groupTag: 'Standard' });
      // The import's state names no device (Graph's deviceRegistrationId is nullable): the new record is found by its
      // serial, never taken for the old one Intune may still list.
      tenant().tenant.scenario.faults.omitDeviceRegistrationId = true;
      tenant().tenant.enroll(old.id);
      const jobId = await h.submit('LIFE-0005');
      await until(() => h.posts().find((c) => JSON.stringify(c.body).includes('LIFE-0005')));

      const unconfirmed = await h.toBot(
        cardClick(h.connector.url, alice, 'replace', { jobId, groupTag: 'Kiosk', comment: 'INC400' }),
      );
      expect(JSON.stringify(unconfirmed.body)).toContain('Tick the box to confirm, then Replace it.');
      expect((await h.app.store.get(jobId))?.job.status).toBe('awaiting_approval');

      await h.toBot(
        cardClick(h.connector.url, alice, 'replace', {
          jobId,
          groupTag: 'Kiosk',
          comment: 'INC400',
          confirmEnrolled: 'true',
        }),
      );
      const job = await finished('LIFE-0005', 1);
      expect(job).toMatchObject({
        kind: 'replace',
        status: 'completed',
        outcome: 'imported',
        hardwareHash: null,
      });
      expect(tenant().tenant.autopilot.has(old.id)).toBe(false);
      expect(recordOf('LIFE-0005')?.groupTag).toBe('Kiosk');
      expect(job.graph.autopilotDeviceId).toBe(recordOf('LIFE-0005')?.id);
      expect(tenant().log.uploadsBySerial().get('LIFE-0005')).toBe(1);
      expect(tenant().tenant.deletesBySerial.get('LIFE-0005')).toBe(1);
    },
  );

  it(
    'says before anyone approves that Intune refused the serial as registered to another tenant (808)',
    { timeout: 90_000 },
    async () => {
      tenant().tenant.scenario.importErrors.push({
        error: 'ZtdDeviceAssignedToOtherTenant',
        serialNumber: 'LIFE-0808',
      });
      const first = await h.submit('LIFE-0808');
      await h.toBot(
        cardClick(h.connector.url, alice, 'approve', { jobId: first, groupTag: 'Kiosk', comment: 'INC808' }),
      );
      const failed = await finished('LIFE-0808', 1);
      expect(failed.error).toMatchObject({ code: '808', name: 'ZtdDeviceAssignedToOtherTenant' });

      const again = await h.submit('LIFE-0808');
      expect((await h.app.store.get(again))?.job.flags).toEqual(['other_tenant']);
      const card = await until(() =>
        h
          .posts()
          .find((c) => JSON.stringify(c.body).includes(again) && JSON.stringify(c.body).includes('(808)')),
      );
      expect(JSON.stringify(card.body)).toContain("registered to another organization's tenant (808)");
    },
  );
});
