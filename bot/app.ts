/** Builds and starts the service from a Config: store, Graph access, pipeline worker and HTTP server. */
import type { CloudAdapter } from 'botbuilder';
import type restify from 'restify';
import type { ApprovalConfig, Config, IntakeKey } from '../services/config/config.js';
import { describeError } from '../services/errors.js';
import type { Logger } from '../services/logging/logger.js';
import { loggingPublisher } from '../services/pipeline/logging-publisher.js';
import { SYNC_INTERVAL_MS, type PipelineSettings } from '../services/pipeline/settings.js';
import { createSyncGate } from '../services/pipeline/sync-gate.js';
import { PipelineWorker } from '../services/pipeline/worker.js';
import type { JobStore } from '../services/store/job-store.js';
import { openJobStore } from '../services/store/open-store.js';
import { IntakeAuth } from '../services/intake/intake-auth.js';
import { IntakeService } from '../services/intake/intake-service.js';
import { RateLimiter } from '../services/intake/rate-limiter.js';
import { fanOut, type ProgressPublisher } from '../services/pipeline/progress.js';
import { mountBot } from './mount-bot.js';
import { recentJobs } from './recent-jobs.js';
import { createAdapter } from './bot-adapter.js';
import { CardQueue, TEAMS_THREAD_LIMITS } from './card-queue.js';
import { SendBudget, shareOf, TEAMS_APP_WINDOWS, TEAMS_THREAD_WINDOWS } from './send-budget.js';
import { ChannelCards } from './channel-cards.js';
import { bindConfiguredChannel } from './configured-channel.js';
import { demoIntakeKey } from './demo-key.js';
import { SubmitterNotifier } from './submitter-notifier.js';
import { TeamsCardSender } from './teams-card-sender.js';
import { openGraphAccess, type EmulatorSetup, type GraphAccess } from './graph-access.js';
import { checkConfiguredGroups, doctorFor } from './graph-checks.js';
import { registerIntakeRoutes } from './intake-routes.js';
import { createServer, listen } from './server.js';

/** Without an app id (local use) the bot still needs some id to address proactive messages. */
const LOCAL_BOT_ID = '00000000-0000-0000-0000-000000000001';
const DEMO_TAGS = ['Standard', 'Kiosk', 'Shared'];

/** The demo offers a few tags when none are configured, so that the card has something to choose. */
function effectiveApprovals(config: Config): ApprovalConfig {
  const a = config.approvals;
  return config.mode === 'demo' && a.groupTags.length === 0
    ? { ...a, groupTags: DEMO_TAGS, defaultGroupTag: a.defaultGroupTag ?? 'Standard' }
    : a;
}

export interface RunningApp {
  url: string;
  store: JobStore;
  graphAccess: GraphAccess;
  worker: PipelineWorker;
  cards: CardQueue;
  /** Resolves once the cards that missed updates before this start have been queued again. */
  reconciled: Promise<void>;
  /** The demo's own intake key (demo mode without INTAKE_KEYS only). */
  demoKey?: string;
  stop(): Promise<void>;
}

export function pipelineSettings(config: Config): PipelineSettings {
  const p = config.pipeline;
  return {
    batchSize: p.batchSize,
    leaseMs: p.leaseMs,
    tickMs: p.tickMs,
    deadlinesMs: p.deadlinesMs,
    pollMinMs: p.pollMinMs,
    pollMaxMs: p.pollMaxMs,
    maxAttempts: 5,
    retryBaseMs: 5_000,
    syncIntervalMs: SYNC_INTERVAL_MS,
    ...(p.profileGroupId ? { profileGroupId: p.profileGroupId } : {}),
  };
}

interface Core {
  config: Config;
  logger: Logger;
  store: JobStore;
  graphAccess: GraphAccess;
  approvalConfig: ApprovalConfig;
}

/** Where job changes go: the log, the channel cards, and the person the device is for. */
function buildPublishing({ config, logger, store, approvalConfig }: Core, adapter: CloudAdapter) {
  const botAppId = config.bot.appId || LOCAL_BOT_ID;
  // One budget for the helpdesk channel (a thread to Teams), one for all the app sends; each instance its share.
  const channelBudget = new SendBudget(shareOf(TEAMS_THREAD_WINDOWS, config.bot.instances));
  const appBudget = new SendBudget(shareOf(TEAMS_APP_WINDOWS, config.bot.instances));
  const cards = new CardQueue(
    store,
    new ChannelCards(store, approvalConfig),
    new TeamsCardSender(adapter, botAppId, store),
    logger,
    { ...TEAMS_THREAD_LIMITS, budgets: [channelBudget, appBudget] },
  );
  const publisher = fanOut(
    loggingPublisher(logger),
    cards,
    new SubmitterNotifier(adapter, botAppId, store, logger, appBudget),
  );
  return { cards, publisher, botAppId };
}

function startWorker(
  { config, logger, store, graphAccess }: Core,
  publisher: ProgressPublisher,
): PipelineWorker {
  const settings = pipelineSettings(config);
  const syncGate = createSyncGate({
    store,
    graph: graphAccess.graph,
    tenantKey: graphAccess.tenantId,
    intervalMs: settings.syncIntervalMs,
    logger,
  });
  const worker = new PipelineWorker({
    store,
    graph: graphAccess.graph,
    syncGate,
    settings,
    publisher,
    logger,
    retentionDays: config.retentionDays,
  });
  worker.start();
  return worker;
}

/** The intake API; returns the demo's own key when the demo runs without INTAKE_KEYS. */
function mountIntake(
  server: restify.Server,
  { config, logger, store, graphAccess }: Core,
  publisher: ProgressPublisher,
): IntakeKey | undefined {
  const demoKey =
    config.intake.keys.length === 0 && config.mode === 'demo' ? demoIntakeKey(config.dataDir) : undefined;
  const keys = demoKey ? [demoKey] : config.intake.keys;
  if (keys.length === 0) logger.warn('INTAKE_KEYS is empty: the intake API refuses every request');
  const { allowedManufacturers: manufacturers, allowedModels: models, allowListMode: mode } = config.intake;
  const intake = new IntakeService({
    store,
    graph: graphAccess.graph,
    publisher,
    logger,
    approvalWindowMs: config.approvalWindowMs,
    allowLists: { manufacturers, models, mode },
  });
  registerIntakeRoutes(server, {
    intake,
    auth: new IntakeAuth(keys),
    limiter: new RateLimiter(config.intake.ratePerMinute),
    store,
    config: config.intake,
    logger,
  });
  return demoKey;
}

const RECONCILE_EVERY_MS = 5 * 60_000;

/** Cards that missed an update (before a restart, or given up on) get it now. */
async function reconcileCards(store: JobStore, cards: CardQueue): Promise<void> {
  await cards.reconcile(await recentJobs(store));
}

export interface StartOptions {
  host?: string;
  /** The demo's in-process emulator: its scenario and seed. */
  emulator?: EmulatorSetup;
  /** Prebuilt adapters (the service started against an emulator or a store that outlives it, as in tests). */
  graphAccess?: GraphAccess;
  store?: JobStore;
  /** Post the recent cards again whenever the app is installed in a channel (a channel without history). */
  repostOnInstall?: boolean;
}

export async function startApp(
  config: Config,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningApp> {
  const store = options.store ?? (await openJobStore(config.store, config.retentionDays));
  const graphAccess = options.graphAccess ?? (await openGraphAccess(config, logger, options.emulator));
  try {
    await checkConfiguredGroups(graphAccess, config, logger);
  } catch (error) {
    if (!options.graphAccess) await graphAccess.stop();
    if (!options.store) await store.close();
    throw error;
  }
  const core: Core = { config, logger, store, graphAccess, approvalConfig: effectiveApprovals(config) };
  const adapter = createAdapter(config.bot, logger);
  const { cards, publisher, botAppId } = buildPublishing(core, adapter);
  // Bind a configured channel before anything publishes, so that no card waits for a binding that exists.
  if (await bindConfiguredChannel(store, config.bot, botAppId))
    logger.info({ teamId: config.bot.channel?.teamId }, 'helpdesk channel bound from configuration');
  const server = createServer({
    logger,
    mode: config.mode,
    storeKind: config.store.kind,
    startedAt: new Date(),
    deepCheck: doctorFor(graphAccess, config),
  });
  const demoKey = mountIntake(server, core, publisher);
  mountBot(server, {
    ...core,
    adapter,
    publisher,
    cards,
    botAppId,
    repostOnInstall: options.repostOnInstall === true,
  });
  const worker = startWorker(core, publisher);
  await listen(server, config.port, options.host);
  // Catching up cards reads every recent job: it runs while the service already serves, and again every few
  // minutes, so that a card whose update was given up on (Teams down for long) is mended without a restart.
  const reconcile = () =>
    reconcileCards(store, cards).catch((error: unknown) =>
      logger.warn({ err: describeError(error) }, 'card reconciliation failed'),
    );
  const reconciled = reconcile();
  const reconciler = setInterval(() => void reconcile(), RECONCILE_EVERY_MS);
  reconciler.unref();
  const { port } = server.address();
  return {
    url: `http://localhost:${port}`,
    store,
    graphAccess,
    worker,
    cards,
    reconciled,
    ...(demoKey ? { demoKey: demoKey.key } : {}),
    async stop() {
      server.close();
      clearInterval(reconciler);
      await reconciled;
      await worker.stop();
      await graphAccess.stop();
      await store.close();
    },
  };
}
