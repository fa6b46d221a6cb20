/**
 * Every setting the service reads, as a zod schema over the environment. Defaults are safe and give the demo.
 * `.env.sample` documents each key; a test keeps the two in step.
 */
import { z } from 'zod';

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();
const csv = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  );
const wholeNumber = () => z.coerce.number({ error: 'must be a number' }).int('must be a whole number');
const positiveInt = (fallback: number) => wholeNumber().positive('must be greater than 0').default(fallback);
const guid = z
  .string()
  .trim()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GUID');
const httpUrl = z
  .string()
  .trim()
  .url('must be a URL')
  .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL')
  .transform((u) => u.replace(/\/+$/, ''));

export const envSchema = z.object({
  MODE: z.enum(['demo', 'production'], { error: 'must be demo or production' }).optional(),
  PORT: wholeNumber().min(1, 'must be 1 to 65535').max(65535, 'must be 1 to 65535').default(3978),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  STORE: z.enum(['sqlite', 'cosmos']).default('sqlite'),
  COSMOS_ENDPOINT: httpUrl.optional(),
  COSMOS_KEY: optionalText,
  COSMOS_DATABASE: z.string().trim().min(1).default('autopilot-approvals'),
  COSMOS_CONTAINER: z.string().trim().min(1).default('jobs'),
  COSMOS_THROUGHPUT: wholeNumber()
    .min(400, 'must be at least 400 RU/s')
    .multipleOf(100, 'must be a multiple of 100 RU/s')
    .optional(),
  COSMOS_AUTOSCALE_MAX_THROUGHPUT: wholeNumber()
    .min(1000, 'must be at least 1000 RU/s')
    .multipleOf(1000, 'must be a multiple of 1000 RU/s')
    .optional(),
  RETENTION_DAYS: positiveInt(180),
  HASH_RETENTION_DAYS: positiveInt(14),
  APPROVAL_WINDOW_HOURS: positiveInt(72),
  REMINDER_HOURS: wholeNumber().min(0, 'must be 0 (off) or more').default(24),
  EXPIRY_WARNING_HOURS: wholeNumber().min(0, 'must be 0 (off) or more').default(12),
  DIGEST_HOUR: z
    .string()
    .trim()
    .regex(/^(off|[01]?\d|2[0-3])$/, 'must be an hour from 0 to 23, or off')
    .default('off')
    .transform((v) => (v === 'off' ? undefined : Number(v))),
  DIGEST_TIME_ZONE: z
    .string()
    .trim()
    .default('UTC')
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat('en-GB', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone, e.g. Europe/Berlin'),
  AZURE_TENANT_ID: guid.optional(),
  AZURE_CLIENT_ID: guid.optional(),
  AZURE_CLIENT_SECRET: optionalText,
  AZURE_CLIENT_CERTIFICATE_PATH: optionalText,
  GRAPH_BASE_URL: httpUrl.default('https://graph.microsoft.com'),
  GRAPH_AUTHORITY_HOST: httpUrl.default('https://login.microsoftonline.com'),
  GRAPH_EMULATOR_URL: httpUrl.optional(),
  GRAPH_WRITES_PER_20S: positiveInt(90),
  GRAPH_REQUESTS_PER_20S: positiveInt(900),
  PROFILE_GROUP_ID: guid.optional(),
  APPROVER_GROUP_IDS: csv,
  APPROVER_IDS: csv,
  GROUP_TAGS: csv,
  DEFAULT_GROUP_TAG: optionalText,
  ALLOW_NO_TAG: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  TICKET_MAX_LENGTH: positiveInt(200),
  DEVICE_NAME_TEMPLATE: optionalText,
  POLICY_FILE: optionalText,
  POLICY_DRY_RUN: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  TICKET_PATTERN: optionalText,
  TICKET_PATTERN_MESSAGE: optionalText,
  // As many jobs as one import call takes (the portal's 500-row limit): a bulk uploads in as few calls as it can.
  WORKER_BATCH_SIZE: positiveInt(500),
  WORKER_LEASE_SECONDS: positiveInt(120),
  WORKER_TICK_MS: positiveInt(1000),
  WORKER_POLL_MIN_MS: positiveInt(2000),
  WORKER_POLL_MAX_MS: positiveInt(60_000),
  DEADLINE_IMPORT_MINUTES: positiveInt(30),
  DEADLINE_AUTOPILOT_DEVICE_MINUTES: positiveInt(60),
  DEADLINE_ENTRA_DEVICE_MINUTES: positiveInt(60),
  DEADLINE_PROFILE_MINUTES: positiveInt(120),
  MICROSOFT_APP_ID: guid.optional(),
  MICROSOFT_APP_PASSWORD: optionalText,
  MICROSOFT_APP_TYPE: z.enum(['SingleTenant', 'UserAssignedMSI', 'MultiTenant']).default('SingleTenant'),
  MICROSOFT_APP_TENANT_ID: guid.optional(),
  BOT_OPENID_METADATA_URL: httpUrl.optional(),
  TEAMS_TEAM_ID: optionalText,
  TEAMS_CHANNEL_ID: optionalText,
  TEAMS_SERVICE_URL: httpUrl.default('https://smba.trafficmanager.net/teams'),
  TEAMS_INSTANCES: positiveInt(1),
  INTAKE_KEYS: z.string().default(''),
  REPORT_KEYS: z.string().default(''),
  INTAKE_RATE_PER_MINUTE: positiveInt(120),
  INTAKE_AUTH_FAILURES_PER_MINUTE: positiveInt(10),
  TRUSTED_PROXIES: csv,
  INTAKE_MAX_BODY_BYTES: positiveInt(65_536),
  INTAKE_MAX_BATCH_BYTES: positiveInt(4 * 1024 * 1024),
  INTAKE_ALLOWED_MANUFACTURERS: csv,
  INTAKE_ALLOWED_MODELS: csv,
  INTAKE_ALLOW_LIST_MODE: z.enum(['refuse', 'flag']).default('flag'),
  DEMO_PLAYGROUND_PORT: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be 0 to 65535')
    .max(65535, 'must be 0 to 65535')
    .default(56150),
  EMULATOR_TIME_SCALE: z.coerce
    .number({ error: 'must be a number' })
    .positive('must be greater than 0')
    .max(1, 'must be at most 1')
    .default(0.05),
});

export type EnvSettings = z.infer<typeof envSchema>;
export const CONFIG_KEYS = Object.keys(envSchema.shape) as (keyof EnvSettings)[];
