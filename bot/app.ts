/** Builds and starts the service from a Config: store, Graph access, pipeline worker and HTTP server. */
import { LongPolls } from './status-routes.js';
import type restify from 'restify';
import type { ApprovalConfig, Config, IntakeKey } from '../services/config/config.js';
import type { Logger } from '../services/logging/logger.js';
import { SYNC_INTERVAL_MS, type PipelineSettings } from '../services/pipeline/settings.js';
import { createSyncGate } from '../services/pipeline/sync-gate.js';
import { PipelineWorker } from '../services/pipeline/worker.js';
import type { JobStore } from '../services/store/job-store.js';
import { openJobStore } from '../services/store/open-store.js';
import { IntakeAuth } from '../services/intake/intake-auth.js';
import { IntakeService } from '../services/intake/intake-service.js';
import { trustedProxies } from '../services/intake/client-address.js';
import { RateLimiter } from '../services/intake/rate-limiter.js';
import type { ProgressPublisher } from '../services/pipeline/progress.js';
import type { ReminderSender } from '../services/pipeline/reminders.js';
import type { CardQueue } from './card-queue.js';
import { buildPublishing, startReconciling } from './publishing.js';
import { mountBot } from './mount-bot.js';
import { TurnsInFlight } from './turns-in-flight.js';
import { createAdapter } from './bot-adapter.js';
import { bindConfiguredChannel } from './configured-channel.js';
import { demoIntakeKey } from './demo-key.js';
import { openGraphAccess, type EmulatorSetup, type GraphAccess } from './graph-access.js';
import { checkConfiguredGroups, doctorFor } from './graph-checks.js';
import { registerExportRoutes } from './export-routes.js';
import { registerIntakeRoutes } from './intake-routes.js';
import { drain, Readiness } from './readiness.js';
import { createServer, listen } from './server.js';

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
  /** Requester notices (personal chats). */
  notices: CardQueue;
  /** Reminders in card threads and the daily digest (the worker's housekeeping sends them). */
  reminders: ReminderSender;
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

function startWorker(
  { config, logger, store, graphAccess }: Core,
  publisher: ProgressPublisher,
  reminders: ReminderSender,
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
    hashRetentionDays: config.hashRetentionDays,
    ...(config.approvals.policy ? { policy: config.approvals.policy } : {}),
    reminders: { settings: config.reminders, sender: reminders },
  });
  worker.start();
  return worker;
}

/** The intake API; returns the demo's own key when the demo runs without INTAKE_KEYS. */
function mountIntake(
  server: restify.Server,
  { config, logger, store, graphAccess, approvalConfig }: Core,
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
    ...(config.approvals.policy ? { policy: config.approvals.policy } : {}),
    ...(config.approvals.deviceNameTemplate
      ? { deviceNameTemplate: config.approvals.deviceNameTemplate }
      : {}),
  });
  registerIntakeRoutes(server, {
    intake,
    auth: new IntakeAuth(keys),
    limiter: new RateLimiter(config.intake.ratePerMinute),
    failures: new RateLimiter(config.intake.authFailuresPerMinute),
    trusted: trustedProxies(config.intake.trustedProxies),
    polls: new LongPolls(),
    store,
    config: config.intake,
    approvals: approvalConfig,
    logger,
  });
  registerExportRoutes(server, {
    auth: new IntakeAuth(config.reportKeys),
    limiter: new RateLimiter(EXPORTS_PER_MINUTE),
    failures: new RateLimiter(config.intake.authFailuresPerMinute),
    trusted: trustedProxies(config.intake.trustedProxies),
    store,
    logger,
  });
  return demoKey;
}

/** Exports per report key and minute: an export walks the whole history, so a few suffice. */
const EXPORTS_PER_MINUTE = 10;

export interface StartOptions {
  host?: string;
  /** The demo's in-process emulator: its scenario and seed. */
  emulator?: EmulatorSetup;
  /** Prebuilt adapters (the service started against an emulator or a store that outlives it, as in tests). */
  graphAccess?: GraphAccess;
  store?: JobStore;
  /** Post the recent cards again whenever the app is installed in a channel (a channel without history). */
  repostOnInstall?: boolean;
  /** Teams' rate windows on a faster clock, against a stand-in on the same clock (benchmarks only). */
  teamsTimeScale?: number;
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
  const turns = new TurnsInFlight();
  const { cards, notices, publisher, reminders, botAppId } = buildPublishing(
    core,
    adapter,
    options.teamsTimeScale,
    turns,
  );
  // Bind a configured channel before anything publishes, so that no card waits for a binding that exists.
  if (await bindConfiguredChannel(store, config.bot, botAppId))
    logger.info({ teamId: config.bot.channel?.teamId }, 'helpdesk channel bound from configuration');
  const readiness = new Readiness(store);
  const server = createServer({
    logger,
    mode: config.mode,
    storeKind: config.store.kind,
    startedAt: new Date(),
    deepCheck: doctorFor(graphAccess, config),
    notReady: readiness.notReady,
  });
  const demoKey = mountIntake(server, core, publisher);
  mountBot(server, {
    ...core,
    adapter,
    publisher,
    cards,
    botAppId,
    turns,
    repostOnInstall: options.repostOnInstall === true,
  });
  const worker = startWorker(core, publisher, reminders);
  await listen(server, config.port, options.host);
  const reconciler = startReconciling(store, [cards, notices], logger);
  const { port } = server.address();
  return {
    url: `http://localhost:${port}`,
    store,
    graphAccess,
    worker,
    cards,
    notices,
    reminders,
    reconciled: reconciler.first,
    ...(demoKey ? { demoKey: demoKey.key } : {}),
    async stop() {
      // Stop taking work (readiness answers 503, no new connections), give back the jobs in hand, then send
      // what the cards and notices still owe, for a bounded time.
      readiness.stopping = true;
      server.close();
      await reconciler.stop();
      await worker.stop();
      if (!(await drain([cards, notices])))
        logger.warn('stopped before every card update was sent; the next start sends the rest');
      await graphAccess.stop();
      await store.close();
    },
  };
}
