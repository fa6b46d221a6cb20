/** POST /api/messages: Bot Framework activities into the CloudAdapter (which checks their tokens). */
import type { CloudAdapter } from 'botbuilder';
import restify from 'restify';
import type { ApprovalsBot } from './approvals-bot.js';

export function registerBotRoutes(server: restify.Server, adapter: CloudAdapter, bot: ApprovalsBot): void {
  server.post(
    '/api/messages',
    restify.plugins.bodyParser({ maxBodySize: 1024 * 1024, mapParams: false }),
    (req, res, next) => {
      adapter
        .process(req, res, (context) => bot.run(context))
        .then(
          () => next(),
          (error: unknown) => next(error instanceof Error ? error : new Error(String(error))),
        );
    },
  );
}
