/**
 * A stand-in for the Teams connector (the Bot Framework service the bot calls back), on loopback: it answers
 * the calls the bot makes and records them, so tests can see what a channel would show. In strict mode it is as
 * strict as Teams: per-thread rate limits (Teams' rate-limit page: 7 sends per second, 8 per 2 s, 60 per 30 s,
 * 1,800 per hour per bot per thread, a channel being one thread) answered 429 with Retry-After; a message over
 * 40 KB in UTF-16 answered 413 MessageSizeTooBig; a post into a team where the app is not installed answered
 * 403 BotNotInConversationRoster; a send to a personal chat whose person blocked the app answered 403
 * MessageWritesBlocked.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorCall {
  method: string;
  path: string;
  body: any;
  at: number;
  /** What the stand-in answered. */
  status?: number;
}

export interface StrictTeams {
  /** Teams (ids) where the app is installed; a post into another answers 403. */
  installedTeams: Set<string>;
  /**
   * Personal chats (conversation ids) whose person blocked or removed the app: a send answers 403
   * MessageWritesBlocked (Teams' page on analysing blocked or uninstalled bots).
   */
  blockedChats?: Set<string>;
  /** Teams' windows on a faster clock (benchmarks play an hour in minutes); Retry-After then has decimals. */
  timeScale?: number;
}

const THREAD_WINDOWS = [
  { ms: 1_000, max: 7 },
  { ms: 2_000, max: 8 },
  { ms: 30_000, max: 60 },
  { ms: 3_600_000, max: 1_800 },
];
const MESSAGE_LIMIT_BYTES = 40 * 1024;

/** The thread a send goes to: a new channel thread's channel, or the conversation up to `;messageid=`. */
function threadOf(method: string, path: string, body: any): string | undefined {
  if (method === 'POST' && /\/v3\/conversations\/?$/.test(path))
    return String(body?.channelData?.channel?.id ?? body?.channelData?.team?.id ?? 'new');
  const conversation = /\/v3\/conversations\/([^/]+)\/activities/.exec(path)?.[1];
  return conversation ? decodeURIComponent(conversation).split(';')[0] : undefined;
}

export interface FakeConnector {
  url: string;
  calls: ConnectorCall[];
  /** Answers the next N update calls with 429 and this Retry-After (seconds). */
  throttleNextUpdates(count: number, retryAfterSeconds: number): void;
  /** Member look-ups answer 500 while set. */
  failMembers: boolean;
  /** Set in strict mode. */
  strict?: StrictTeams;
  stop(): Promise<void>;
}

export async function startFakeConnector(options: { strict?: StrictTeams } = {}): Promise<FakeConnector> {
  const calls: ConnectorCall[] = [];
  const sentAt = new Map<string, number[]>();
  /** Teams' answer to a send in strict mode, or undefined to go on. */
  const refusal = (call: ConnectorCall, text: string) => {
    const strict = options.strict;
    const thread = threadOf(call.method, call.path, call.body);
    if (!strict || !thread || (call.method !== 'POST' && call.method !== 'PUT')) return undefined;
    if (text.length * 2 > MESSAGE_LIMIT_BYTES)
      return {
        status: 413,
        body: { error: { code: 'MessageSizeTooBig', message: 'Message size too big.' } },
      };
    if (thread.startsWith('19:') && !strict.installedTeams.has(thread))
      return {
        status: 403,
        body: {
          error: {
            code: 'BotNotInConversationRoster',
            message: 'The bot is not part of the conversation roster.',
          },
        },
      };
    if (strict.blockedChats?.has(thread))
      return {
        status: 403,
        body: {
          error: {
            code: 'Forbidden',
            message: 'Failed to send activity: bot is blocked.',
            subCode: 'MessageWritesBlocked',
          },
        },
      };
    const now = call.at;
    const scale = strict.timeScale ?? 1;
    const times = (sentAt.get(thread) ?? []).filter((t) => t > now - 3_600_000 * scale);
    for (const w of THREAD_WINDOWS) {
      const inWindow = times.filter((t) => t > now - w.ms * scale);
      if (inWindow.length >= w.max) {
        const wait = (inWindow[inWindow.length - w.max] ?? now) + w.ms * scale - now;
        return {
          status: 429,
          body: { error: { code: 'Throttled' } },
          retryAfter: scale === 1 ? String(Math.ceil(wait / 1000)) : (wait / 1000).toFixed(3),
        };
      }
    }
    sentAt.set(thread, [...times, now]);
    return undefined;
  };
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
        (call as ConnectorCall).status = status;
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      const refused = refusal(call, text);
      if (refused)
        return send(
          refused.status,
          refused.body,
          refused.retryAfter ? { 'retry-after': refused.retryAfter } : {},
        );
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
    ...(options.strict ? { strict: options.strict } : {}),
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
