/**
 * The demo end to end in the Microsoft 365 Agents Playground, driven through its own API: the sample cards
 * appear in the team channel, an approver picks a tag, types a ticket and approves, and the card walks to
 * Completed; a non-approver is refused; the 808 sample ends with its advice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type RunningDemo } from '../../bot/demo.js';
import { loadConfig } from '../../services/config/config.js';
import { fastDemoEnv } from '../support/app-env.js';
import { freePort } from '../support/free-port.js';
import { silentLogger } from '../support/graph.js';

interface Shown {
  action: string;
  messageId: string;
  card: string;
}

let demo: RunningDemo;
let dir: string;
let socket: WebSocket;
const shown: Shown[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aa-playground-'));
  const [botPort, playgroundPort] = [await freePort(), await freePort()];
  const config = loadConfig(
    fastDemoEnv(dir, {
      PORT: String(botPort),
      DEMO_PLAYGROUND_PORT: String(playgroundPort),
      WORKER_TICK_MS: '50',
    }),
  );
  demo = await startDemo(config, silentLogger, { host: '127.0.0.1' });
  socket = new WebSocket(`ws://127.0.0.1:${playgroundPort}/_ws_conversation/v1/conversations/stream`);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.on('message', (data: Buffer) => {
    const event = JSON.parse(data.toString()) as {
      action?: string;
      message?: { messageId?: string; attachments?: { content?: unknown }[] };
    };
    if (!event.message?.attachments?.length) return;
    shown.push({
      action: event.action ?? '',
      messageId: event.message.messageId ?? '',
      card: JSON.stringify(event.message.attachments[0]?.content),
    });
  });
}, 60_000);

afterAll(async () => {
  socket?.close();
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('not seen in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function cardOf(serial: string): Promise<{ jobId: string; messageId: string }> {
  const job = await until(
    async () => (await demo.app.store.list({ serialNumber: serial, limit: 1 })).items[0],
  );
  const address = await until(() => demo.app.store.getCardAddress(job.id));
  return { jobId: job.id, messageId: address.activityId };
}

async function click(user: string, messageId: string, verb: string, data: Record<string, string>) {
  const response = await fetch(`${demo.playground!.url}/_conversation/v1/invoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
      from: { id: user },
      conversation: { id: `team-id;messageid=${messageId}` },
      replyToId: messageId,
    }),
  });
  return { status: response.status, text: await response.text() };
}

describe('the demo in the Agents Playground', () => {
  it('approves a sample in the channel and the card walks to Completed', async () => {
    const { jobId, messageId } = await cardOf('DEMO-0001');
    const reply = await click('user-id-0', messageId, 'approve', {
      jobId,
      groupTag: 'Kiosk',
      comment: 'INC0001 replaced motherboard',
    });
    expect(reply.status).toBe(200);
    expect(reply.text).toContain('Approved');
    const completed = await until(() =>
      shown.find(
        (s) =>
          s.action === 'updateMessage' &&
          s.messageId === messageId &&
          s.card.includes('Completed: the device is registered'),
      ),
    );
    expect(completed.card).toContain('Alex Wilber');
    expect(completed.card).toContain('INC0001 replaced motherboard');
  });

  it('refuses a non-approver, and shows the 808 advice when an approver goes ahead', async () => {
    const { jobId, messageId } = await cardOf('DEMO-0808');
    const refused = await click('user-id-5', messageId, 'approve', {
      jobId,
      groupTag: 'Standard',
      comment: 'INC0002',
    });
    expect(refused.text).toContain('Only helpdesk approvers can decide');
    await click('user-id-1', messageId, 'approve', { jobId, groupTag: 'Standard', comment: 'INC0002' });
    const failed = await until(() =>
      shown.find((s) => s.messageId === messageId && s.card.includes('ZtdDeviceAssignedToOtherTenant')),
    );
    expect(failed.card).toContain('Microsoft support must release it');
  });
});
