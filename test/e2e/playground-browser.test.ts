/**
 * What a person sees: the demo started as `npm start` starts it, and headless Chromium driving the Microsoft 365
 * Agents Playground's web UI. An approver opens the team channel, finds a sample's card, picks a group tag,
 * types a ticket and clicks Approve, and the card walks to Completed; another card is rejected with a reason;
 * a third shows the advice of a failed import; an approver looks a device up and changes its tag from the look-up
 * card, and replaces the record of a device already registered from its approval card. Every card state is saved as a screenshot under
 * test-artifacts/screenshots.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type RunningDemo } from '../../bot/demo.js';
import { loadConfig } from '../../services/config/config.js';
import { fastDemoEnv } from '../support/app-env.js';
import { launchChromium } from '../support/browser.js';
import { freePort } from '../support/free-port.js';
import { fakeHardwareHash } from '../support/jobs.js';
import { silentLogger } from '../support/graph.js';

const SHOTS = join('test-artifacts', 'screenshots');

let dir: string;
let demo: RunningDemo;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aa-e2e-'));
  mkdirSync(SHOTS, { recursive: true });
  const [botPort, playgroundPort] = [await freePort(), await freePort()];
  // Demo speed, a little slower than the other tests so that a person could follow the steps.
  const config = loadConfig(
    fastDemoEnv(dir, {
      PORT: String(botPort),
      DEMO_PLAYGROUND_PORT: String(playgroundPort),
      EMULATOR_TIME_SCALE: '0.01',
    }),
  );
  demo = await startDemo(config, silentLogger, { host: '127.0.0.1' });
  // As a person would: the browser opens after the sample cards were posted. The Playground's channel has no
  // history, so the cards show only because installing the bot in the new session posts them again.
  await demo.app.cards.idle();
  browser = await launchChromium();
  // Twice the pixels, so that the screenshots read well in the README.
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 2 });
  await page.goto(`http://127.0.0.1:${playgroundPort}/`, { waitUntil: 'domcontentloaded' });
  await page.getByText('General', { exact: true }).click();
});

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The channel card of one sample, found by its title as a person would find it. */
function cardOf(serial: string): Locator {
  return page
    .locator('.ac-adaptiveCard')
    .filter({ hasText: `Autopilot registration: ${serial}` })
    .first();
}

/** Waits until the card shows the text; on a timeout the whole page is saved, to see what was shown instead. */
async function shows(card: Locator, text: string, timeout = 60_000): Promise<void> {
  try {
    await card.getByText(text, { exact: false }).first().waitFor({ state: 'visible', timeout });
  } catch (error) {
    const name = `failed-waiting-for-${text.replace(/\W+/g, '-').slice(0, 40)}.png`;
    await page.screenshot({ path: join(SHOTS, name), fullPage: true });
    throw error;
  }
}

/** Types into a card's input as a person does: click into it first (the card takes the value on focus). */
async function typeInto(input: Locator, text: string): Promise<void> {
  await input.click();
  await input.fill(text);
}

async function shot(card: Locator, name: string): Promise<void> {
  await card.scrollIntoViewIfNeeded();
  await page.waitForFunction('document.fonts.status === "loaded"');
  await card.screenshot({ path: join(SHOTS, `${name}.png`) });
}

describe('the helpdesk channel in a real browser', () => {
  it('approves a sample with a group tag and a ticket, and the card walks to Completed', async () => {
    const card = cardOf('DEMO-0001');
    await shows(card, 'Waiting for approval', 30_000);
    await shot(card, '1-awaiting-approval');

    await card.getByRole('combobox').click();
    await page.getByRole('option', { name: 'Kiosk' }).click();
    await typeInto(card.getByPlaceholder('e.g. INC0012345 new motherboard'), 'INC0012345 new motherboard');
    await card.getByRole('button', { name: 'Approve', exact: true }).click();

    await shows(card, 'Importing');
    await shot(card, '2-importing');
    await shows(card, 'Completed: the device is registered with Autopilot');
    await shot(card, '3-completed');
    const text = await card.innerText();
    expect(text).toContain('Kiosk');
    expect(text).toContain('INC0012345 new motherboard');
    expect(text).toContain('Alex Wilber');
    // Nothing is left to click on a finished card.
    expect(await card.getByRole('button', { name: 'Approve', exact: true }).count()).toBe(0);
  });

  it('rejects a request with a reason', async () => {
    const card = cardOf('DEMO-REG1');
    await shows(card, 'Waiting for approval', 30_000);
    // DEMO-REG1 is registered already: its card offers Update it and Replace it instead of Approve. Either
    // without a ticket is refused by the service, with the problem shown beside the input.
    await card.getByRole('button', { name: 'Update it', exact: true }).click();
    await shows(card, 'Enter the ticket or a comment', 10_000);
    await shot(card, '4-ticket-missing');
    await card.getByRole('button', { name: 'Reject', exact: true }).click();
    await typeInto(card.getByLabel('Reason'), 'Duplicate of INC0099 – the device is already enrolled');
    await card.getByRole('button', { name: 'Reject request' }).click();
    await shows(card, 'Rejected');
    await shot(card, '5-rejected');
    expect(await card.innerText()).toContain('Duplicate of INC0099');
  });

  it('shows the advice of a failed import', async () => {
    const card = cardOf('DEMO-0808');
    await shows(card, 'Waiting for approval', 30_000);
    await typeInto(card.getByPlaceholder('e.g. INC0012345 new motherboard'), 'INC0012346 replacement board');
    await card.getByRole('button', { name: 'Approve', exact: true }).click();
    await shows(card, 'Failed');
    await shot(card, '6-failed-with-advice');
    const text = await card.innerText();
    expect(text).toContain('808');
    expect(text).toMatch(/another organi[sz]ation/i);
  });

  it('approves a whole CSV batch from its one card and shows its progress to the end', async () => {
    const csv = [
      'Device Serial Number,Windows Product ID,Hardware Hash,Group Tag',
      ...['CSV-0001', 'CSV-0002', 'CSV-0003'].map((serial) => `${serial},,${fakeHardwareHash()},Kiosk`),
      'CSV-0004,,not-a-hash,Kiosk',
    ].join('\r\n');
    const response = await fetch(
      `${demo.app.url}/api/submissions/batch?manufacturer=Dell&model=Latitude%207450`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${demo.app.demoKey ?? ''}`, 'content-type': 'text/csv' },
        body: csv,
      },
    );
    expect(response.status).toBe(202);
    const card = cardOf('batch of 3 devices');
    await shows(card, 'Waiting for approval', 30_000);
    expect(await card.innerText()).toContain('Line 5 · CSV-0004');
    await shot(card, '7-batch-awaiting-approval');
    await typeInto(card.getByPlaceholder('e.g. INC0012345 new motherboard'), 'INC0012400 lab refresh');
    await card.getByRole('button', { name: 'Approve all' }).click();
    await shows(card, 'Completed: all 3 devices registered');
    await shot(card, '8-batch-completed');
    expect(await card.innerText()).toContain('INC0012400 lab refresh');
  });

  it('shows what people typed as they typed it: Markdown, HTML, entities and backslashes', async () => {
    const typed =
      String.raw`[click me](https://evil.example) **urgent** _x_ ` +
      '`code`' +
      String.raw` C:\temp\new <b>bold</b> &amp; AT&T #1`;
    const response = await fetch(`${demo.app.url}/api/submissions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${demo.app.demoKey ?? ''}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        serialNumber: 'TEXT-0001',
        hardwareHash: fakeHardwareHash(),
        manufacturer: "O'Brien_Sons (R+D) #1",
        model: 'Model_7_x / 2: +1',
      }),
    });
    expect(response.status).toBe(202);
    const card = cardOf('TEXT-0001');
    await shows(card, 'Waiting for approval', 30_000);
    await typeInto(card.getByPlaceholder('e.g. INC0012345 new motherboard'), typed);
    await card.getByRole('button', { name: 'Approve', exact: true }).click();
    await shows(card, 'Completed: the device is registered with Autopilot');
    await shot(card, '9-text-as-typed');
    // The card wraps long lines: compare with runs of white space made one.
    const text = (await card.innerText()).replace(/\s+/g, ' ');
    expect(text).toContain(typed);
    expect(text).toContain("O'Brien_Sons (R+D) #1");
    expect(text).toContain('Model_7_x / 2: +1');
    expect(text).not.toContain('&amp;amp;');
  });

  it('looks a device up in personal chat and changes its group tag from the look-up card', async () => {
    // DEMO-0001 was registered (with tag Kiosk) by the first scenario. An approver asks in personal chat (in the
    // channel, Teams hands the bot only posts that @mention it).
    await page.getByText('Personal Chat', { exact: true }).click();
    await page.locator('[data-lexical-editor="true"]').last().click();
    await page.keyboard.type('lookup DEMO-0001');
    await page.keyboard.press('Enter');
    const card = page.locator('.ac-adaptiveCard').filter({ hasText: 'Autopilot record of DEMO-0001' }).last();
    await shows(card, 'Registered in Autopilot.', 30_000);
    await shot(card, '10-lookup');
    await card.getByRole('combobox').first().click();
    await page.getByRole('option', { name: 'Shared' }).click();
    await typeInto(card.getByPlaceholder('e.g. INC0012345 new motherboard'), 'INC0012500 move to shared');
    await card.getByRole('button', { name: 'Change group tag' }).click();
    await shows(card, 'Started: change tag Shared');
    // The change's own card in the helpdesk channel walks through its steps.
    await page.getByText('General', { exact: true }).click();
    const job = page.locator('.ac-adaptiveCard').filter({ hasText: 'Autopilot change: DEMO-0001' }).first();
    await shows(job, 'Completed: Intune shows the change');
    await shot(job, '11-change-completed');
    expect((await job.innerText()).replace(/\s+/g, ' ')).toContain('tag Kiosk → Shared');
  });

  it('replaces the record of a device already registered, from its approval card', async () => {
    demo.app.graphAccess.emulator?.tenant.seedRegisteredDevice({
      serialNumber: 'SWAP-0001',
      groupTag: 'Standard',
      manufacturer: 'Dell',
      model: 'Latitude 7450',
    });
    const response = await fetch(`${demo.app.url}/api/submissions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${demo.app.demoKey ?? ''}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        serialNumber: 'SWAP-0001',
        hardwareHash: fakeHardwareHash(),
        manufacturer: 'Dell',
        model: 'Latitude 7450',
      }),
    });
    expect(response.status).toBe(202);
    const card = cardOf('SWAP-0001');
    await shows(card, 'Replace it', 30_000);
    expect(await card.innerText()).toContain('tag Standard');
    await shot(card, '12-registered-awaiting');
    await typeInto(card.getByPlaceholder('e.g. INC0012345 new motherboard'), 'INC0012600 new motherboard');
    await card.getByRole('button', { name: 'Replace it', exact: true }).click();
    const replaced = page
      .locator('.ac-adaptiveCard')
      .filter({ hasText: 'Autopilot replacement: SWAP-0001' })
      .first();
    await shows(replaced, 'Completed: the old record was replaced');
    await shot(replaced, '13-replaced');
    expect(await replaced.innerText()).toContain('Delete the Autopilot record');
  });

  it('welcomes a person in personal chat with commands that read whole', async () => {
    await page.getByText('Personal Chat', { exact: true }).click();
    const welcome = page.getByText('where a request stands').first();
    await welcome.waitFor({ state: 'visible', timeout: 30_000 });
    // The argument of "status" is shown, not swallowed as an HTML tag.
    expect(await welcome.innerText()).toContain('serial number or job id');
  });
});
