/**
 * POST /api/messages: Bot Framework activities into the CloudAdapter, which checks their tokens. Teams sends JSON
 * only, so nothing else is read (no multipart parsing to disk before the token is checked), and a body over the
 * limit is refused while it streams. An unauthenticated request is one warning line in the log, not a stack.
 */
import type { Activity } from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import type restify from 'restify';
import { describeError } from '../services/errors.js';
import type { Logger } from '../services/logging/logger.js';
import type { ApprovalsBot } from './approvals-bot.js';
import type { BotAdapter } from './bot-adapter.js';
import { readBody, requireContentType } from './http-body.js';
import type { TurnsInFlight } from './turns-in-flight.js';

/** Far above any activity Teams sends (a bot message is at most 40 KB in UTF-16), far below a disk's worth. */
export const MAX_ACTIVITY_BYTES = 256 * 1024;

async function readActivity(req: restify.Request): Promise<Activity> {
  requireContentType(req, ['application/json']);
  const body = JSON.parse((await readBody(req, MAX_ACTIVITY_BYTES)).toString('utf8')) as unknown;
  if (typeof body !== 'object' || body === null || typeof (body as { type?: unknown }).type !== 'string')
    throw new SyntaxError('not an activity');
  return body as Activity;
}

export function registerBotRoutes(
  server: restify.Server,
  adapter: BotAdapter,
  bot: ApprovalsBot,
  logger: Logger,
  turns?: TurnsInFlight,
): void {
  server.post('/api/messages', async (req: restify.Request, res: restify.Response) => {
    const ended = turns?.begin();
    try {
      await answerActivity(req, res, adapter, bot, logger);
    } finally {
      ended?.();
    }
  });
}

async function answerActivity(
  req: restify.Request,
  res: restify.Response,
  adapter: BotAdapter,
  bot: ApprovalsBot,
  logger: Logger,
): Promise<void> {
  let activity: Activity;
  try {
    activity = await readActivity(req);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const status = code === 'unsupported_media_type' ? 415 : code === 'body_too_large' ? 413 : 400;
    res.send(status, { error: { code: code ?? 'invalid_json', message: describeError(error).message } });
    return;
  }
  try {
    const answer = await adapter.handleActivity(req.headers.authorization ?? '', activity, (context) =>
      bot.run(context),
    );
    res.send(answer?.status ?? 200, answer?.body);
  } catch (error) {
    if (error instanceof AuthenticationError) {
      logger.warn(
        { reason: error.message.split('\n')[0], ip: req.socket.remoteAddress },
        'bot request refused: not authenticated',
      );
      res.send(401, { error: { code: 'unauthorized', message: 'Unauthorized' } });
      return;
    }
    logger.error({ err: describeError(error), activityType: activity.type }, 'bot request failed');
    res.send(500, { error: { code: 'internal', message: 'The bot could not handle this activity.' } });
  }
}
