/**
 * A stand-in for the Teams connector (the Bot Framework service the bot calls back), on loopback: it answers
 * the calls the bot makes and records them, so tests can see what a channel would show.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorCall {
  method: string;
  path: string;
  body: any;
  at: number;
}

export interface FakeConnector {
  url: string;
  calls: ConnectorCall[];
  /** Answers the next N update calls with 429 and this Retry-After (seconds). */
  throttleNextUpdates(count: number, retryAfterSeconds: number): void;
  /** Member look-ups answer 500 while set. */
  failMembers: boolean;
  stop(): Promise<void>;
}

export async function startFakeConnector(): Promise<FakeConnector> {
  const calls: ConnectorCall[] = [];
  let throttled = 0;
  let retryAfter = 1;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      const call = {
        method: req.method ?? '',
        path: req.url ?? '',
        body: text ? JSON.parse(text) : undefined,
        at: Date.now(),
      };
      calls.push(call);
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'PUT' && throttled > 0) {
        throttled--;
        return send(429, { error: { code: 'Throttled' } }, { 'retry-after': String(retryAfter) });
      }
      const member = /\/v3\/conversations\/[^/]+\/members\/([^/?]+)$/.exec(call.path);
      if (req.method === 'GET' && member && fake.failMembers)
        return send(500, { error: { code: 'ServiceError' } });
      if (req.method === 'GET' && member) {
        const id = decodeURIComponent(member[1] ?? '');
        const name = id.replace(/^29:/, '');
        return send(200, {
          id,
          name,
          aadObjectId: `aad-${name}`,
          userPrincipalName: `${name}@contoso.example`,
          email: `${name}@contoso.example`,
        });
      }
      if (req.method === 'POST' && /\/v3\/conversations\/?$/.test(call.path)) {
        // A new channel thread: Teams answers with the thread's conversation id and the message id.
        const messageId = String(Date.now()) + Math.floor(Math.random() * 1000);
        return send(201, {
          id: `${call.body?.channelData?.channel?.id ?? 'channel'};messageid=${messageId}`,
          activityId: messageId,
        });
      }
      return send(200, { id: randomUUID() });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const fake: FakeConnector = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    calls,
    failMembers: false,
    throttleNextUpdates(count, seconds) {
      throttled = count;
      retryAfter = seconds;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
