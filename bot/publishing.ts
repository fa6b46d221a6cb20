/**
 * Where job changes go: the log, the helpdesk channel's cards, and the notices to the person a device is for.
 * Cards and notices are two card queues over the same store; both are reconciled against the store at start and
 * every few minutes, so what a crash or a long Teams outage left unsent is sent without a restart.
 */
import type { CloudAdapter } from 'botbuilder';
import type { ApprovalConfig, Config } from '../services/config/config.js';
import { describeError } from '../services/errors.js';
import type { Logger } from '../services/logging/logger.js';
import { loggingPublisher } from '../services/pipeline/logging-publisher.js';
import { fanOut, type ProgressPublisher } from '../services/pipeline/progress.js';
import type { JobStore } from '../services/store/job-store.js';
import { CardQueue, TEAMS_THREAD_LIMITS } from './card-queue.js';
import { ChannelCards } from './channel-cards.js';
import { noticePublisher, noticeRenderer, owesNotice, TeamsNoticeSender } from './personal-notices.js';
import { recentJobs } from './recent-jobs.js';
import {
  scaleWindows,
  SendBudget,
  shareOf,
  TEAMS_APP_WINDOWS,
  TEAMS_THREAD_WINDOWS,
  type RateWindow,
} from './send-budget.js';
import { TeamsCardSender } from './teams-card-sender.js';
import type { TurnsInFlight } from './turns-in-flight.js';
import { TeamsReminderSender } from './channel-reminders.js';
import type { ReminderSender } from '../services/pipeline/reminders.js';

/** Without an app id (local use) the bot still needs some id to address proactive messages. */
export const LOCAL_BOT_ID = '00000000-0000-0000-0000-000000000001';

export interface Publishing {
  cards: CardQueue;
  notices: CardQueue;
  publisher: ProgressPublisher;
  /** Reminders in card threads and the daily digest, within the channel's send budget. */
  reminders: ReminderSender;
  botAppId: string;
}

export function buildPublishing(
  parts: { config: Config; logger: Logger; store: JobStore; approvalConfig: ApprovalConfig },
  adapter: CloudAdapter,
  /** Teams' windows on a faster clock (1 = Teams' own), for rehearsals against a scaled stand-in. */
  teamsTimeScale = 1,
  /** The turns being answered: cards and notices wait for them (turns-in-flight.ts). */
  turns?: TurnsInFlight,
): Publishing {
  const { config, logger, store, approvalConfig } = parts;
  const botAppId = config.bot.appId || LOCAL_BOT_ID;
  // One budget for the helpdesk channel (a thread to Teams), one for all the app sends; each instance its share.
  const windows = (w: readonly RateWindow[]) =>
    scaleWindows(shareOf(w, config.bot.instances), teamsTimeScale);
  const channelBudget = new SendBudget(windows(TEAMS_THREAD_WINDOWS));
  const appBudget = new SendBudget(windows(TEAMS_APP_WINDOWS));
  const cards = new CardQueue(
    store,
    new ChannelCards(store, approvalConfig),
    new TeamsCardSender(adapter, botAppId, store),
    logger,
    { ...TEAMS_THREAD_LIMITS, budgets: [channelBudget, appBudget], ...(turns ? { yieldTo: turns } : {}) },
  );
  // Each personal chat is a thread of its own: only the app's budget is shared; a 429 there is waited out.
  const notices = new CardQueue(
    store,
    noticeRenderer,
    new TeamsNoticeSender(adapter, botAppId, store, logger),
    logger,
    {
      ...TEAMS_THREAD_LIMITS,
      budgets: [appBudget],
      whenNowhere: 'drop',
      label: 'requester notice',
      ...(turns ? { yieldTo: turns } : {}),
    },
  );
  const publisher = fanOut(loggingPublisher(logger), cards, noticePublisher(notices));
  const reminders = new TeamsReminderSender(adapter, botAppId, store, [channelBudget, appBudget]);
  return { cards, notices, publisher, reminders, botAppId };
}

const RECONCILE_EVERY_MS = 5 * 60_000;

/**
 * Catches up cards and notices from the store: once now (while the service already serves, since it reads every
 * recent job) and then every few minutes.
 */
export function startReconciling(
  store: JobStore,
  [cards, notices]: [CardQueue, CardQueue],
  logger: Logger,
): { first: Promise<void>; stop(): Promise<void> } {
  const reconcile = async () => {
    try {
      const jobs = await recentJobs(store);
      await cards.reconcile(jobs);
      await notices.reconcile(jobs.filter(owesNotice));
    } catch (error) {
      logger.warn({ err: describeError(error) }, 'card reconciliation failed');
    }
  };
  const first = reconcile();
  const timer = setInterval(() => void reconcile(), RECONCILE_EVERY_MS);
  timer.unref();
  return {
    first,
    async stop() {
      clearInterval(timer);
      await first;
    },
  };
}
