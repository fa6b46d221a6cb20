/**
 * Structured JSON logs (pino). Secrets and hardware hashes are redacted by field name wherever they appear,
 * as a last line of defence: code should not put them in a log call in the first place.
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

export const REDACTED_FIELDS = [
  'hardwareHash',
  'hardwareIdentifier',
  'authorization',
  'Authorization',
  'password',
  'secret',
  'clientSecret',
  'client_secret',
  'access_token',
  'accessToken',
  'key',
  'token',
] as const;

const paths = REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*.*.*.${f}`]);

export function createLogger(
  options: { level: string; name?: string },
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    {
      level: options.level,
      name: options.name ?? 'autopilot-approvals',
      redact: { paths, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** Human-readable lines for the demo (pino-pretty, in process), redaction applied before it formats. */
export function prettyDestination(): pino.DestinationStream {
  return pretty({
    colorize: process.stdout.isTTY,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,name',
    sync: true,
  });
}
