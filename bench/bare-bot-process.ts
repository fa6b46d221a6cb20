/**
 * The yardstick of the approval benchmark: a bare bot in its own process, laid out as the service is (restify, the
 * same /api/messages route and body limits, the project's CloudAdapter from the same settings), whose only logic
 * answers every card action with the same fixed card. Prints "READY <url>" once it serves requests.
 */
import restify from 'restify';
import type { TurnContext } from 'botbuilder';
import type { ApprovalsBot } from '../bot/approvals-bot.js';
import { createAdapter } from '../bot/bot-adapter.js';
import { registerBotRoutes } from '../bot/bot-routes.js';
import { loadConfig } from '../services/config/config.js';
import { createLogger } from '../services/logging/logger.js';
import { renderJobCard } from '../cards/job-card.js';
import { approvedJob } from '../test/support/jobs.js';

const config = loadConfig(JSON.parse(process.env.BARE_BOT_ENV ?? '{}') as Record<string, string>);
const logger = createLogger({ level: 'silent' });

/**
 * The card the service answers an Approve with, drawn once at start from the same template, settings and job state
 * (an approved device, its steps still to come): the same bytes to serialize and send, none of the work to draw it.
 * (A hand-made card of 0.7 KB stood here before, against the service's 5 KB.)
 */
const FIXED_CARD = renderJobCard(approvedJob(), { approvals: config.approvals });

const bareBot = {
  async run(context: TurnContext): Promise<void> {
    if (context.activity.type !== 'invoke') return;
    await context.sendActivity({
      type: 'invokeResponse',
      value: {
        status: 200,
        body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: FIXED_CARD },
      },
    });
  },
} as unknown as ApprovalsBot;

const server = restify.createServer({ name: 'autopilot-approvals', handleUncaughtExceptions: false });
server.use(restify.plugins.queryParser());
registerBotRoutes(server, createAdapter(config.bot, logger), bareBot, logger);
server.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`READY http://127.0.0.1:${config.port}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
