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

const config = loadConfig(JSON.parse(process.env.BARE_BOT_ENV ?? '{}') as Record<string, string>);
const logger = createLogger({ level: 'silent' });

/** About the size of a device's approval card after a decision. */
const FIXED_CARD = {
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  body: [
    { type: 'TextBlock', text: 'Register LAT-0: Approved', weight: 'Bolder', size: 'Medium', wrap: true },
    {
      type: 'FactSet',
      facts: Array.from({ length: 10 }, (_, i) => ({ title: `Fact ${i}`, value: `Value of fact ${i}` })),
    },
    { type: 'TextBlock', text: 'Approved by Alice with tag Standard (INC-LAT).', wrap: true, isSubtle: true },
  ],
};

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
