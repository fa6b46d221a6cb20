/**
 * Corporate identifiers (Windows Autopilot device preparation) from intake to imported, through the started
 * service: one by the API, a batch from Microsoft's header-less `Manufacturer,Model,Serial` CSV, a serial already
 * registered for classic Autopilot flagged, and bad submissions named by field with nothing stored.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cardProblems } from '../support/card-check.js';
import { HARNESS_KEY, startBotHarness, until, type BotHarness } from '../support/bot-harness.js';
import { alice, cardClick, installation } from '../support/teams-activities.js';

let h: BotHarness;
beforeEach(async () => {
  h = await startBotHarness();
  await h.toBot(installation(h.connector.url));
});
afterEach(async () => {
  await h.stop();
});

const emulator = () => {
  const e = h.app.graphAccess.emulator;
  if (!e) throw new Error('the harness runs the in-process emulator');
  return e;
};
const identifiers = () =>
  [...emulator().tenant.corporateIdentifiers.values()].map((r) => r.importedDeviceIdentifier);

async function post(path: string, body: string, contentType: string) {
  const response = await fetch(`${h.app.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${HARNESS_KEY}`, 'content-type': contentType },
    body,
  });
  return { status: response.status, body: (await response.json()) as any };
}

const submitCorporate = (fields: Record<string, string>) =>
  post('/api/submissions', JSON.stringify({ type: 'corporateIdentifier', ...fields }), 'application/json');

describe('corporate identifiers', () => {
  it('imports one submitted by the API after approval, with no hash and no group tag', async () => {
    const accepted = await submitCorporate({
      serialNumber: 'CORP-0001',
      manufacturer: 'Contoso Inc.',
      model: 'Laptop 7',
    });
    expect(accepted.status).toBe(202);
    const post = await until(() => h.posts().find((c) => JSON.stringify(c.body).includes('CORP-0001')));
    const card = (post.body as { activity: { attachments: { content: object }[] } }).activity.attachments[0]!
      .content;
    const text = JSON.stringify(card);
    expect(text).toContain('Corporate identifier: CORP-0001');
    expect(text).toContain(
      'Contoso Inc,Laptop 7,CORP-0001: the device will enroll through Windows Autopilot device preparation',
    );
    expect(text).not.toContain('Autopilot group tag');
    expect(text).not.toContain('Hash fingerprint');
    expect(cardProblems(card)).toEqual([]);

    await h.toBot(
      cardClick(h.connector.url, alice, 'approve', { jobId: accepted.body.id, comment: 'INC500' }),
    );
    const job = await until(async () => {
      const j = (await h.app.store.get(accepted.body.id))?.job;
      return j?.status === 'completed' ? j : undefined;
    }, 30_000);
    expect(job).toMatchObject({ kind: 'corporateIdentifier', outcome: 'imported', hardwareHash: null });
    expect(job.approval?.groupTag).toBeNull();
    expect(job.steps.map((s) => [s.name, s.state])).toEqual([
      ['check-identifier', 'succeeded'],
      ['import-identifier', 'succeeded'],
    ]);
    expect(identifiers()).toEqual(['Contoso Inc,Laptop 7,CORP-0001']);
    // Nothing classic happened: no upload, no Autopilot record.
    expect(emulator().log.uploadsBySerial().size).toBe(0);
    expect(emulator().tenant.autopilot.size).toBe(0);
  });

  it("takes Microsoft's corporate-identifier CSV as a batch and flags a serial registered for classic Autopilot", async () => {
    emulator().tenant.seedRegisteredDevice({ serialNumber: 'CORP-0003', groupTag: 'Standard' });
    const csv = 'Contoso,Laptop 7,CORP-0002\r\nContoso,Laptop 7,CORP-0003\r\nContoso,Laptop 7\r\n';
    const report = await post('/api/submissions/batch', csv, 'text/csv');
    expect(report.status).toBe(202);
    expect(report.body).toMatchObject({ accepted: 2, refused: 1 });
    expect(report.body.rows[2]).toMatchObject({
      line: 3,
      result: 'refused',
      reason: 'expected 3 fields (Manufacturer,Model,Serial), found 2',
    });
    const batchId = report.body.batchId as string;
    const post0 = await until(() => h.posts().find((c) => JSON.stringify(c.body).includes(batchId)));
    expect(JSON.stringify(post0.body)).toContain(
      'Corporate identifiers (Autopilot device preparation): batch of 2 devices',
    );
    expect(JSON.stringify(post0.body)).not.toContain('Autopilot group tag');

    await h.toBot(cardClick(h.connector.url, alice, 'approve', { batchId, comment: 'INC501' }));
    const jobs = await until(async () => {
      const items = (await h.app.store.list({ batchId, limit: 10 })).items;
      return items.length === 2 && items.every((j) => j.status === 'completed') ? items : undefined;
    }, 30_000);
    expect(identifiers().sort()).toEqual(['Contoso,Laptop 7,CORP-0002', 'Contoso,Laptop 7,CORP-0003']);
    const flagged = jobs.find((j) => j.device.serialNumber === 'CORP-0003');
    expect(flagged?.flags).toContain('already_registered');
    expect(flagged?.steps[0]?.warning).toMatch(
      /^This serial is registered for classic Autopilot \(tag Standard\)/,
    );
  });

  it('names what is wrong with a bad submission and stores nothing', async () => {
    const withHash = await submitCorporate({
      serialNumber: 'CORP-0004',
      manufacturer: 'Contoso',
      model: 'Laptop 7',
      hardwareHash: 'AAAA',
    });
    expect(withHash).toMatchObject({
      status: 400,
      body: { error: { message: 'Unknown field "hardwareHash".' } },
    });
    const dots = await submitCorporate({ serialNumber: 'CORP-0004', manufacturer: '...', model: 'Laptop 7' });
    expect(dots.status).toBe(400);
    expect(dots.body.error.message).toBe('manufacturer must hold letters or digits besides dots and commas.');
    const badType = await post(
      '/api/submissions',
      JSON.stringify({ type: 'imei', serialNumber: 'CORP-0004' }),
      'application/json',
    );
    expect(badType.body.error.message).toBe('type must be "hardwareHash" or "corporateIdentifier".');
    expect((await h.app.store.list({ serialNumber: 'CORP-0004', limit: 5 })).items).toEqual([]);
  });
});
