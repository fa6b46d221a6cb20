/**
 * Approval policies through the started service (real CloudAdapter, intake API, pipeline, emulator): a lab key's
 * device completes with no click; a sensitive tag needs two different approvers, on a device's card and on a
 * batch's; a dry run changes nothing but what the card says.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cardText, HARNESS_KEY, startBotHarness, until, type BotHarness } from '../support/bot-harness.js';
import { fakeHardwareHash } from '../support/jobs.js';
import { alice, bob, cardClick, installation } from '../support/teams-activities.js';

const LAB_KEY = 'lab-intake-key-0123456789abcdef';
const POLICY = `# Devices from the lab's own key are approved at once; Kiosk needs two approvers.
rules:
  - name: lab-dells
    when:
      source: lab
      manufacturer: Dell Inc.
      model: "Latitude *"
    then: approve
    tag: Lab
    ticket: LAB standing approval
  - name: kiosk-two-approvers
    when:
      tag: [Kiosk]
    then: two-approvers
`;

let dir: string;
let policyFile: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'aa-policy-'));
  policyFile = join(dir, 'policy.yaml');
  writeFileSync(policyFile, POLICY);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let h: BotHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function start(extra: Record<string, string> = {}): Promise<BotHarness> {
  h = await startBotHarness({
    POLICY_FILE: policyFile,
    GROUP_TAGS: 'Standard,Kiosk,Lab',
    INTAKE_KEYS: `deploy:${HARNESS_KEY},lab:${LAB_KEY}`,
    ...extra,
  });
  await h.toBot(installation(h.connector.url));
  return h;
}

async function submitFromLab(harness: BotHarness, serialNumber: string): Promise<string> {
  const response = await fetch(`${harness.app.url}/api/submissions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${LAB_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      serialNumber,
      hardwareHash: fakeHardwareHash(),
      manufacturer: 'Dell Inc.',
      model: 'Latitude 7440',
    }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

const statusOf = async (harness: BotHarness, id: string) => (await harness.app.store.get(id))?.job;

describe('approval policies through the started service', () => {
  it("completes a lab key's device with no click, approved by the rule, on the card and in the audit", async () => {
    const harness = await start();
    const jobId = await submitFromLab(harness, 'LAB-0001');
    const job = await until(async () => {
      const j = await statusOf(harness, jobId);
      return j?.status === 'completed' ? j : undefined;
    }, 30_000);
    expect(job.approval).toMatchObject({
      by: { id: 'rule:lab-dells', name: 'rule lab-dells' },
      groupTag: 'Lab',
      comment: 'LAB standing approval',
    });
    expect(job.audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['submitted', 'policy', 'approved', 'completed']),
    );
    expect(job.audit.find((a) => a.action === 'policy')?.detail).toBe('Approved by rule lab-dells.');
    await harness.app.cards.idle();
    const shown = cardText(harness.updates().at(-1) ?? harness.posts()[0]!);
    expect(shown).toContain('Approved by rule lab-dells.');
    expect(shown).toContain('rule lab-dells');
    // The same device from another key is left to a person.
    const other = await harness.submit('DEPLOY-0001', { manufacturer: 'Dell Inc.', model: 'Latitude 7440' });
    expect((await statusOf(harness, other))?.status).toBe('awaiting_approval');
    expect((await statusOf(harness, other))?.policy).toBeUndefined();
  });

  it('asks for a second, different approver choosing the same tag when the tag is sensitive', async () => {
    const harness = await start();
    const { connector } = harness;
    const jobId = await harness.submit('KIOSK-0001');
    const first = await harness.toBot(
      cardClick(connector.url, alice, 'approve', { jobId, groupTag: 'Kiosk', comment: 'INC0001 kiosk' }),
    );
    expect(JSON.stringify(first.body.value)).toContain('Waiting for a second approver');
    expect(JSON.stringify(first.body.value)).toContain('waiting for a second, different approver');
    let job = await statusOf(harness, jobId);
    expect(job?.status).toBe('awaiting_approval');
    expect(job?.firstApproval?.by.id).toBe(alice.aadObjectId);
    expect(job?.audit.at(-1)).toMatchObject({ action: 'first_approval', by: { id: alice.aadObjectId } });

    const again = await harness.toBot(
      cardClick(connector.url, alice, 'approve', { jobId, groupTag: 'Kiosk', comment: 'INC0001 kiosk' }),
    );
    expect(JSON.stringify(again.body.value)).toContain('a second, different approver must approve');
    const otherTag = await harness.toBot(
      cardClick(connector.url, bob, 'approve', { jobId, groupTag: 'Standard', comment: 'INC0001 kiosk' }),
    );
    expect(JSON.stringify(otherTag.body.value)).toContain(
      'approved with tag Kiosk: approve with the same tag',
    );
    expect((await statusOf(harness, jobId))?.status).toBe('awaiting_approval');

    await harness.toBot(
      cardClick(connector.url, bob, 'approve', { jobId, groupTag: 'Kiosk', comment: 'INC0001 checked' }),
    );
    job = await until(async () => {
      const j = await statusOf(harness, jobId);
      return j?.status === 'completed' ? j : undefined;
    }, 30_000);
    expect(job.approval?.by.id).toBe(bob.aadObjectId);
    expect(job.firstApproval?.by.id).toBe(alice.aadObjectId);
    expect(job.audit.find((a) => a.action === 'approved')?.detail).toBe(
      `Kiosk; second approver after ${alice.name}; rule kiosk-two-approvers requires two approvers`,
    );

    // A tag no rule guards still takes one approver.
    const plain = await harness.submit('STANDARD-0001');
    await harness.toBot(
      cardClick(connector.url, alice, 'approve', { jobId: plain, groupTag: 'Standard', comment: 'INC2' }),
    );
    expect((await statusOf(harness, plain))?.status).not.toBe('awaiting_approval');
  });

  it('a batch with a sensitive tag needs two approvers on its card too', async () => {
    const harness = await start();
    const csv = [
      'Device Serial Number,Windows Product ID,Hardware Hash,Group Tag',
      ...['KBATCH-1', 'KBATCH-2', 'KBATCH-3'].map((s) => `${s},,${fakeHardwareHash()},Kiosk`),
    ].join('\r\n');
    const posted = await fetch(`${harness.app.url}/api/submissions/batch?manufacturer=HP&model=EliteBook`, {
      method: 'POST',
      headers: { authorization: `Bearer ${HARNESS_KEY}`, 'content-type': 'text/csv' },
      body: csv,
    });
    const answer = (await posted.json()) as { batchId: string };
    expect(posted.status, JSON.stringify(answer)).toBe(202);
    const { batchId } = answer;
    const data = { batchId, groupTag: 'Kiosk', comment: 'INC0003 kiosks' };
    const first = await harness.toBot(cardClick(harness.connector.url, alice, 'approve', data));
    expect(JSON.stringify(first.body.value)).toContain('Waiting for a second approver');
    expect((await harness.app.store.getBatch(batchId))?.batch.firstApproval?.by.id).toBe(alice.aadObjectId);
    const jobs = (await harness.app.store.list({ batchId, limit: 10 })).items;
    expect(jobs.every((j) => j.status === 'awaiting_approval' && !j.firstApproval)).toBe(true);

    const same = await harness.toBot(cardClick(harness.connector.url, alice, 'approve', data));
    expect(JSON.stringify(same.body.value)).toContain('a second, different approver must approve');
    await harness.toBot(cardClick(harness.connector.url, bob, 'approve', data));
    const approved = await until(async () => {
      const items = (await harness.app.store.list({ batchId, limit: 10 })).items;
      return items.every((j) => j.approval) ? items : undefined;
    });
    for (const job of approved) {
      expect(job.firstApproval?.by.id).toBe(alice.aadObjectId);
      expect(job.approval?.by.id).toBe(bob.aadObjectId);
    }
  });

  it('in a dry run, shows what the rules would have done and changes nothing else', async () => {
    const harness = await start({ POLICY_DRY_RUN: 'true' });
    const jobId = await submitFromLab(harness, 'LAB-DRY-1');
    await harness.app.cards.idle();
    const job = await statusOf(harness, jobId);
    expect(job?.status).toBe('awaiting_approval');
    expect(job?.approval).toBeUndefined();
    expect(job?.policy).toMatchObject({ rule: 'lab-dells', then: 'approve', dryRun: true });
    expect(cardText(harness.posts()[0]!)).toContain(
      'Dry run: rule lab-dells would have approved it with tag Lab; the rule did nothing.',
    );
    // Kiosk takes one approver, and the audit says a second would have been asked for.
    const kiosk = await harness.submit('KIOSK-DRY-1');
    await harness.toBot(
      cardClick(harness.connector.url, alice, 'approve', {
        jobId: kiosk,
        groupTag: 'Kiosk',
        comment: 'INC9',
      }),
    );
    const decided = await statusOf(harness, kiosk);
    expect(decided?.approval?.by.id).toBe(alice.aadObjectId);
    expect(decided?.audit.find((a) => a.action === 'approved')?.detail).toBe(
      'Kiosk; dry run: rule kiosk-two-approvers would have required a second approver',
    );
  });
});

describe('the device name at approval', () => {
  it('offers the template, refuses a bad name beside its input, and sets the name on the Autopilot record', async () => {
    const harness = await start({ DEVICE_NAME_TEMPLATE: 'CON-%SERIAL%' });
    const { connector } = harness;
    const jobId = await harness.submit('NAME0001');
    await harness.app.cards.idle();
    const card = harness.posts()[0]!.body.activity.attachments[0].content as object;
    expect(JSON.stringify(card)).toContain('"id":"deviceName"');
    expect(JSON.stringify(card)).toContain('"value":"CON-NAME0001"');

    const bad = await harness.toBot(
      cardClick(connector.url, alice, 'approve', {
        jobId,
        groupTag: 'Standard',
        comment: 'INC10',
        deviceName: 'CON NAME 0001',
      }),
    );
    expect(JSON.stringify(bad.body.value)).toContain('Use letters, digits and hyphens only (no spaces).');
    expect((await statusOf(harness, jobId))?.status).toBe('awaiting_approval');

    await harness.toBot(
      cardClick(connector.url, alice, 'approve', {
        jobId,
        groupTag: 'Standard',
        comment: 'INC10',
        deviceName: 'CON-FRONTDESK',
      }),
    );
    const job = await until(async () => {
      const j = await statusOf(harness, jobId);
      return j?.status === 'completed' ? j : undefined;
    }, 30_000);
    expect(job.approval?.deviceName).toBe('CON-FRONTDESK');
    expect(job.steps.find((s) => s.name === 'set-device-name')).toMatchObject({
      state: 'succeeded',
      note: 'Named CON-FRONTDESK',
    });
    const record = harness.app.graphAccess.emulator?.tenant.autopilot.get(job.graph.autopilotDeviceId ?? '');
    expect(record?.displayName).toBe('CON-FRONTDESK');
  });

  it('names a lab device a rule approves from the template, and skips the step without a name', async () => {
    const harness = await start({ DEVICE_NAME_TEMPLATE: 'LAB-%SERIAL%' });
    const named = await submitFromLab(harness, 'LAB0042');
    const job = await until(async () => {
      const j = await statusOf(harness, named);
      return j?.status === 'completed' ? j : undefined;
    }, 30_000);
    expect(job.approval?.deviceName).toBe('LAB-LAB0042');
    expect(
      harness.app.graphAccess.emulator?.tenant.autopilot.get(job.graph.autopilotDeviceId ?? '')?.displayName,
    ).toBe('LAB-LAB0042');
    const plain = await harness.submit('PLAIN0001');
    await harness.toBot(
      cardClick(harness.connector.url, alice, 'approve', {
        jobId: plain,
        groupTag: 'Standard',
        comment: 'INC11',
        deviceName: '',
      }),
    );
    const done = await until(async () => {
      const j = await statusOf(harness, plain);
      return j?.status === 'completed' ? j : undefined;
    }, 30_000);
    expect(done.steps.find((s) => s.name === 'set-device-name')?.state).toBe('skipped');
  });
});
