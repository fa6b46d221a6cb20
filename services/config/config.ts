/** Reads the environment once, in the composition root, into a typed, validated Config. */
import { resolve } from 'node:path';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { invalidProxyEntries } from '../intake/client-address.js';
import { misspeltSettings, resolveMode, type Mode } from './mode.js';
import { CONFIG_KEYS, envSchema, type EnvSettings } from './schema.js';
import type { ApprovalPolicy } from '../policy/policy.js';
import { approvalConfig } from './approval-settings.js';
import type { ReminderSettings } from '../pipeline/reminders.js';
import { templateProblem } from '../domain/device-name.js';

export type StoreConfig =
  | { kind: 'sqlite'; path: string }
  | {
      kind: 'cosmos';
      endpoint: string;
      key?: string;
      databaseId: string;
      containerId: string;
      /** Throughput of a container the service creates (key auth only). */
      throughput?: { kind: 'manual'; ru: number } | { kind: 'autoscale'; maxRu: number };
      /** Longest the Cosmos SDK waits out 429s in one call: a fifth of the worker's lease. */
      maxRetryWaitSeconds: number;
    };

export type GraphCredential = { kind: 'secret'; secret: string } | { kind: 'certificate'; path: string };

export interface GraphConfig {
  /** Production talks to Microsoft Graph; the demo to the local emulator, in-process or at `emulatorUrl`. */
  target: 'microsoft' | 'emulator';
  /** A standalone emulator's Graph URL (GRAPH_EMULATOR_URL): the demo uses it instead of starting one. */
  emulatorUrl?: string;
  baseUrl: string;
  authorityHost: string;
  tenantId?: string;
  clientId?: string;
  credential?: GraphCredential;
  writesPer20s: number;
  requestsPer20s: number;
}

export interface PipelineConfig {
  batchSize: number;
  leaseMs: number;
  tickMs: number;
  pollMinMs: number;
  pollMaxMs: number;
  profileGroupId?: string;
  deadlinesMs: { import: number; autopilotDevice: number; entraDevice: number; profile: number };
}

export interface IntakeKey {
  /** Shown as "via" on the job and card; never the key itself. */
  name: string;
  key: string;
}

export interface IntakeConfig {
  keys: IntakeKey[];
  /** Requests per minute per intake key. */
  ratePerMinute: number;
  /** Failed authentications per minute per client address. */
  authFailuresPerMinute: number;
  /** Proxies whose X-Forwarded-For names the client (addresses or CIDR ranges). */
  trustedProxies: string[];
  maxBodyBytes: number;
  maxBatchBytes: number;
  allowedManufacturers: string[];
  allowedModels: string[];
  allowListMode: 'refuse' | 'flag';
}

export interface ApprovalConfig {
  /** Entra groups whose members may approve (checked through Graph). */
  approverGroupIds: string[];
  /** Entra object ids allowed to approve without a group (small teams, the demo). */
  approverIds: string[];
  groupTags: string[];
  defaultGroupTag?: string;
  allowNoTag: boolean;
  ticketMaxLength: number;
  ticketPattern?: { regex: RegExp; message: string };
  /** POLICY_FILE's rules, checked at start (services/policy). */
  policy?: ApprovalPolicy;
  /** The device name the approval card offers, e.g. `CON-%SERIAL%` (set with updateDeviceProperties). */
  deviceNameTemplate?: string;
}

export interface BotConfig {
  /** Empty in local use only: bot authentication is then off (refused in production). */
  appId: string;
  appPassword?: string;
  appType: 'SingleTenant' | 'UserAssignedMSI' | 'MultiTenant';
  /** The tenant whose Teams may talk to the bot; activities from any other are refused. */
  tenantId?: string;
  /** Where inbound tokens' signing keys are published (tests serve their own on loopback). */
  openIdMetadataUrl?: string;
  /** The helpdesk channel, when it is configured rather than bound in Teams. */
  channel?: { teamId: string; channelId: string; serviceUrl: string };
  /** How many instances share the bot's Teams rate limits: each keeps to its share. */
  instances: number;
}

export interface Config {
  mode: Mode;
  port: number;
  logLevel: EnvSettings['LOG_LEVEL'];
  dataDir: string;
  store: StoreConfig;
  retentionDays: number;
  /** Days a failed job keeps its hash for a retry. */
  hashRetentionDays: number;
  approvalWindowMs: number;
  /** Reminders of waiting requests, expiry warnings and the daily digest. */
  reminders: ReminderSettings;
  approvals: ApprovalConfig;
  bot: BotConfig;
  graph: GraphConfig;
  pipeline: PipelineConfig;
  intake: IntakeConfig;
  /** Read-only keys for the export API. */
  reportKeys: IntakeKey[];
  emulatorTimeScale: number;
  /** The demo's Agents Playground port; 0 runs the demo without it. */
  demoPlaygroundPort: number;
}

type Env = Record<string, string | undefined>;
const MINUTE = 60_000;

function parseProblems(env: Env): { settings?: EnvSettings; problems: ConfigProblem[] } {
  // Empty values count as unset, so that a copied .env.sample with blank lines means "use the default".
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''),
  );
  const parsed = envSchema.safeParse(present);
  if (parsed.success) return { settings: parsed.data, problems: [] };
  return {
    problems: parsed.error.issues.map((issue) => ({
      key: String(issue.path[0] ?? '(root)'),
      problem: issue.message,
    })),
  };
}

/** Rules between settings, checked on the raw values so that they are reported with every other problem. */
function crossChecks(env: Env): ConfigProblem[] {
  const has = (key: string) => (env[key] ?? '').trim() !== '';
  const problems: ConfigProblem[] = [];
  if (env.STORE?.trim() === 'cosmos' && !has('COSMOS_ENDPOINT')) {
    problems.push({ key: 'COSMOS_ENDPOINT', problem: 'is required when STORE=cosmos' });
  }
  if (has('COSMOS_THROUGHPUT') && has('COSMOS_AUTOSCALE_MAX_THROUGHPUT'))
    problems.push({
      key: 'COSMOS_THROUGHPUT',
      problem: 'set either COSMOS_THROUGHPUT (manual) or COSMOS_AUTOSCALE_MAX_THROUGHPUT, not both',
    });
  if (env.POLICY_DRY_RUN?.trim() === 'true' && !has('POLICY_FILE'))
    problems.push({ key: 'POLICY_DRY_RUN', problem: 'needs POLICY_FILE (the rules to try)' });
  const nameTemplate = has('DEVICE_NAME_TEMPLATE')
    ? templateProblem((env.DEVICE_NAME_TEMPLATE ?? '').trim())
    : undefined;
  if (nameTemplate) problems.push({ key: 'DEVICE_NAME_TEMPLATE', problem: nameTemplate });
  if (has('TEAMS_CHANNEL_ID') && !has('TEAMS_TEAM_ID'))
    problems.push({ key: 'TEAMS_TEAM_ID', problem: 'is required with TEAMS_CHANNEL_ID' });
  if (has('TICKET_PATTERN')) {
    try {
      new RegExp(env.TICKET_PATTERN ?? '');
    } catch {
      problems.push({ key: 'TICKET_PATTERN', problem: 'is not a valid regular expression' });
    }
  }
  const tags = (env.GROUP_TAGS ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (has('DEFAULT_GROUP_TAG') && !tags.includes((env.DEFAULT_GROUP_TAG ?? '').trim())) {
    problems.push({ key: 'DEFAULT_GROUP_TAG', problem: 'must be one of GROUP_TAGS' });
  }
  if (tags.some((t) => !/^[A-Za-z0-9._-]{1,64}$/.test(t))) {
    problems.push({
      key: 'GROUP_TAGS',
      problem: 'tags may hold letters, digits and . _ - only (64 at most)',
    });
  }
  const shortKey = parseIntakeKeys(env.INTAKE_KEYS ?? '').find((k) => k.key.length < 16);
  const badProxies = invalidProxyEntries(
    (env.TRUSTED_PROXIES ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  );
  if (badProxies.length)
    problems.push({
      key: 'TRUSTED_PROXIES',
      problem: `holds ${badProxies.map((b) => `"${b.slice(0, 60)}"`).join(', ')}: each entry must be an IP address or a CIDR range`,
    });
  if (shortKey)
    problems.push({ key: 'INTAKE_KEYS', problem: `key "${shortKey.name}" is shorter than 16 characters` });
  const reportKeys = parseIntakeKeys(env.REPORT_KEYS ?? '');
  const shortReportKey = reportKeys.find((k) => k.key.length < 16);
  if (shortReportKey)
    problems.push({
      key: 'REPORT_KEYS',
      problem: `key "${shortReportKey.name}" is shorter than 16 characters`,
    });
  const intakeKeys = new Set(parseIntakeKeys(env.INTAKE_KEYS ?? '').map((k) => k.key));
  const shared = reportKeys.find((k) => intakeKeys.has(k.key));
  if (shared)
    problems.push({
      key: 'REPORT_KEYS',
      problem: `key "${shared.name}" is an intake key too; report keys must be separate (read-only)`,
    });
  return problems;
}

function graphConfig(s: EnvSettings, mode: Mode): GraphConfig {
  const budget = { writesPer20s: s.GRAPH_WRITES_PER_20S, requestsPer20s: s.GRAPH_REQUESTS_PER_20S };
  if (mode === 'demo' || !s.AZURE_TENANT_ID) {
    return {
      target: 'emulator',
      ...(s.GRAPH_EMULATOR_URL ? { emulatorUrl: s.GRAPH_EMULATOR_URL } : {}),
      baseUrl: s.GRAPH_BASE_URL,
      authorityHost: s.GRAPH_AUTHORITY_HOST,
      ...budget,
    };
  }
  const credential: GraphCredential = s.AZURE_CLIENT_CERTIFICATE_PATH
    ? { kind: 'certificate', path: resolve(s.AZURE_CLIENT_CERTIFICATE_PATH) }
    : { kind: 'secret', secret: s.AZURE_CLIENT_SECRET ?? '' };
  return {
    target: 'microsoft',
    baseUrl: s.GRAPH_BASE_URL,
    authorityHost: s.GRAPH_AUTHORITY_HOST,
    tenantId: s.AZURE_TENANT_ID,
    ...(s.AZURE_CLIENT_ID ? { clientId: s.AZURE_CLIENT_ID } : {}),
    credential,
    ...budget,
  };
}

function storeConfig(s: EnvSettings): StoreConfig {
  if (s.STORE === 'sqlite') return { kind: 'sqlite', path: resolve(s.DATA_DIR, 'autopilot-approvals.db') };
  return {
    kind: 'cosmos',
    endpoint: s.COSMOS_ENDPOINT ?? '',
    ...(s.COSMOS_KEY ? { key: s.COSMOS_KEY } : {}),
    databaseId: s.COSMOS_DATABASE,
    containerId: s.COSMOS_CONTAINER,
    ...(s.COSMOS_AUTOSCALE_MAX_THROUGHPUT
      ? { throughput: { kind: 'autoscale' as const, maxRu: s.COSMOS_AUTOSCALE_MAX_THROUGHPUT } }
      : s.COSMOS_THROUGHPUT
        ? { throughput: { kind: 'manual' as const, ru: s.COSMOS_THROUGHPUT } }
        : {}),
    maxRetryWaitSeconds: Math.max(1, Math.floor(s.WORKER_LEASE_SECONDS / 5)),
  };
}

/** `name:key` pairs or bare keys (named key-1, key-2, …), comma-separated. */
function parseIntakeKeys(value: string): IntakeKey[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry, i) => {
      const colon = entry.indexOf(':');
      return colon > 0
        ? { name: entry.slice(0, colon).trim(), key: entry.slice(colon + 1).trim() }
        : { name: `key-${i + 1}`, key: entry };
    });
}

/** Throws ConfigError naming every bad or missing key. */
export function loadConfig(env: Env): Config {
  const { settings, problems } = parseProblems(env);
  const { mode, problems: forMode } = resolveMode(env);
  const all = [...problems, ...crossChecks(env), ...forMode, ...misspeltSettings(env, CONFIG_KEYS)];
  if (!settings || all.length) throw new ConfigError(all);
  const s = settings;
  const approvals = approvalConfig(s);
  return {
    mode,
    port: s.PORT,
    logLevel: s.LOG_LEVEL,
    dataDir: resolve(s.DATA_DIR),
    store: storeConfig(s),
    retentionDays: s.RETENTION_DAYS,
    hashRetentionDays: s.HASH_RETENTION_DAYS,
    approvalWindowMs: s.APPROVAL_WINDOW_HOURS * 60 * MINUTE,
    reminders: {
      reminderMs: s.REMINDER_HOURS * 60 * MINUTE,
      expiryWarningMs: s.EXPIRY_WARNING_HOURS * 60 * MINUTE,
      ...(s.DIGEST_HOUR === undefined
        ? {}
        : { digest: { hour: s.DIGEST_HOUR, timeZone: s.DIGEST_TIME_ZONE } }),
    },
    bot: {
      appId: s.MICROSOFT_APP_ID ?? '',
      ...(s.MICROSOFT_APP_PASSWORD ? { appPassword: s.MICROSOFT_APP_PASSWORD } : {}),
      appType: s.MICROSOFT_APP_TYPE,
      instances: s.TEAMS_INSTANCES,
      ...(s.MICROSOFT_APP_TENANT_ID || s.AZURE_TENANT_ID
        ? { tenantId: s.MICROSOFT_APP_TENANT_ID ?? s.AZURE_TENANT_ID }
        : {}),
      ...(s.BOT_OPENID_METADATA_URL ? { openIdMetadataUrl: s.BOT_OPENID_METADATA_URL } : {}),
      ...(s.TEAMS_TEAM_ID
        ? {
            channel: {
              teamId: s.TEAMS_TEAM_ID,
              channelId: s.TEAMS_CHANNEL_ID ?? s.TEAMS_TEAM_ID,
              serviceUrl: `${s.TEAMS_SERVICE_URL}/`,
            },
          }
        : {}),
    },
    approvals,
    graph: graphConfig(s, mode),
    pipeline: {
      batchSize: s.WORKER_BATCH_SIZE,
      leaseMs: s.WORKER_LEASE_SECONDS * 1000,
      tickMs: s.WORKER_TICK_MS,
      pollMinMs: s.WORKER_POLL_MIN_MS,
      pollMaxMs: s.WORKER_POLL_MAX_MS,
      ...(s.PROFILE_GROUP_ID ? { profileGroupId: s.PROFILE_GROUP_ID } : {}),
      deadlinesMs: {
        import: s.DEADLINE_IMPORT_MINUTES * MINUTE,
        autopilotDevice: s.DEADLINE_AUTOPILOT_DEVICE_MINUTES * MINUTE,
        entraDevice: s.DEADLINE_ENTRA_DEVICE_MINUTES * MINUTE,
        profile: s.DEADLINE_PROFILE_MINUTES * MINUTE,
      },
    },
    intake: {
      keys: parseIntakeKeys(s.INTAKE_KEYS),
      ratePerMinute: s.INTAKE_RATE_PER_MINUTE,
      authFailuresPerMinute: s.INTAKE_AUTH_FAILURES_PER_MINUTE,
      trustedProxies: s.TRUSTED_PROXIES,
      maxBodyBytes: s.INTAKE_MAX_BODY_BYTES,
      maxBatchBytes: s.INTAKE_MAX_BATCH_BYTES,
      allowedManufacturers: s.INTAKE_ALLOWED_MANUFACTURERS,
      allowedModels: s.INTAKE_ALLOWED_MODELS,
      allowListMode: s.INTAKE_ALLOW_LIST_MODE,
    },
    reportKeys: parseIntakeKeys(s.REPORT_KEYS),
    emulatorTimeScale: s.EMULATOR_TIME_SCALE,
    demoPlaygroundPort: s.DEMO_PLAYGROUND_PORT,
  };
}

/** What start-up logs: every setting, secrets replaced by whether they are set. */
export function redactedSummary(config: Config): Record<string, unknown> {
  const { graph, store } = config;
  return {
    ...config,
    store: store.kind === 'cosmos' ? { ...store, key: store.key ? '(set)' : '(Entra ID)' } : store,
    bot: { ...config.bot, appPassword: config.bot.appPassword ? '(set)' : undefined },
    intake: { ...config.intake, keys: config.intake.keys.map((k) => k.name) },
    approvals: {
      ...config.approvals,
      policy: config.approvals.policy && {
        dryRun: config.approvals.policy.dryRun,
        rules: config.approvals.policy.rules.map((r) => `${r.name}: ${r.then}`),
      },
    },
    reportKeys: config.reportKeys.map((k) => k.name),
    graph: {
      ...graph,
      credential: graph.credential
        ? graph.credential.kind === 'secret'
          ? { kind: 'secret', secret: '(set)' }
          : graph.credential
        : undefined,
    },
  };
}
