/** The Teams side of the service: approval services, the bot's parts, and the route Teams calls. */
import type { BotAdapter } from './bot-adapter.js';
import type restify from 'restify';
import {
  anyOf,
  GraphApproverDirectory,
  StaticApproverDirectory,
} from '../services/approvals/approver-directory.js';
import { ApprovalService } from '../services/approvals/approval-service.js';
import { BatchApprovalService } from '../services/approvals/batch-approval-service.js';
import { LifecycleService } from '../services/lifecycle/lifecycle-service.js';
import type { ApprovalConfig, Config } from '../services/config/config.js';
import { describeError } from '../services/errors.js';
import type { Logger } from '../services/logging/logger.js';
import type { ProgressPublisher } from '../services/pipeline/progress.js';
import type { ConversationReferenceData, JobStore } from '../services/store/job-store.js';
import { ApprovalsBot } from './approvals-bot.js';
import { registerBotRoutes } from './bot-routes.js';
import { CardActions } from './card-actions.js';
import type { CardQueue } from './card-queue.js';
import { ChannelBinder } from './channel-binder.js';
import { CommandAnswers } from './command-answers.js';
import type { GraphAccess } from './graph-access.js';
import { recentJobs } from './recent-jobs.js';
import type { TurnsInFlight } from './turns-in-flight.js';

export interface BotParts {
  config: Config;
  logger: Logger;
  store: JobStore;
  graphAccess: GraphAccess;
  approvalConfig: ApprovalConfig;
  adapter: BotAdapter;
  publisher: ProgressPublisher;
  cards: CardQueue;
  botAppId: string;
  /** The turns being answered, which channel cards wait for. */
  turns?: TurnsInFlight;
  /** Post the recent cards again whenever the app is installed in a channel (a channel without history). */
  repostOnInstall: boolean;
}

export function mountBot(server: restify.Server, parts: BotParts): void {
  const { config, logger, store, graphAccess, approvalConfig, adapter, cards } = parts;
  const directory = anyOf(
    new StaticApproverDirectory(approvalConfig.approverIds),
    new GraphApproverDirectory(graphAccess.graph, approvalConfig.approverGroupIds),
  );
  const deps = { store, directory, config: approvalConfig, publisher: parts.publisher, logger };
  const binder = new ChannelBinder({
    store,
    directory,
    logger,
    onBound: (how) => {
      cards.flushUnbound();
      if (how === 'installation' && parts.repostOnInstall)
        void recentJobs(store)
          .then((jobs) => cards.repost(jobs))
          .catch((error: unknown) => logger.warn({ err: describeError(error) }, 'reposting cards failed'));
    },
    announce: (reference: ConversationReferenceData, text: string) =>
      adapter.continueConversationAsync(parts.botAppId, reference, async (context) => {
        await context.sendActivity(text);
      }),
  });
  const bot = new ApprovalsBot({
    store,
    directory,
    binder,
    commands: new CommandAnswers({
      store,
      directory,
      approvalConfig,
      binder,
      exportEnabled: config.reportKeys.length > 0,
      graph: graphAccess.graph,
    }),
    cardActions: new CardActions({
      approvals: new ApprovalService(deps),
      batchApprovals: new BatchApprovalService(deps),
      lifecycle: new LifecycleService({ ...deps, graph: graphAccess.graph }),
      approvalConfig,
    }),
    logger,
    ...(config.bot.tenantId ? { tenantId: config.bot.tenantId } : {}),
  });
  registerBotRoutes(server, adapter, bot, logger, parts.turns);
}
