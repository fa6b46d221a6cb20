/** Command-line arguments of autopilot-submit, checked before anything is sent. */
import { parseArgs } from 'node:util';

export const USAGE = `Usage:
  autopilot-submit --server URL --key KEY --csv FILE [--manufacturer M --model X] [--wait]
  autopilot-submit --server URL --key KEY --serial S --hash BASE64 --manufacturer M --model X
                   [--user UPN] [--requested-by UPN] [--product-key KEY] [--wait]
  autopilot-submit --server URL --key KEY --sample [--wait]     (a made-up device, for the demo)
  autopilot-submit --server URL --key KEY --retag FILE --tag TAG [--wait]
                   (bulk re-tag: FILE lists serial numbers, one per line; approvers decide on one card)

  --key may also come from AUTOPILOT_INTAKE_KEY. --wait follows the jobs until they finish
  (--timeout seconds, default 3600). Exit code: 0 all accepted (and, with --wait, completed);
  1 something was refused or did not complete; 2 bad arguments or the server could not be reached.`;

export type Command =
  | { kind: 'csv'; file: string; manufacturer?: string; model?: string }
  | { kind: 'device'; device: Record<string, string> }
  | { kind: 'sample' }
  | { kind: 'retag'; file: string; groupTag: string };

export interface CliOptions {
  server: string;
  key: string;
  command: Command;
  wait: boolean;
  timeoutSeconds: number;
}

export class UsageError extends Error {}

export function parseCliArgs(argv: string[], env: Record<string, string | undefined>): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      server: { type: 'string', default: 'http://localhost:3978' },
      key: { type: 'string' },
      csv: { type: 'string' },
      serial: { type: 'string' },
      hash: { type: 'string' },
      manufacturer: { type: 'string' },
      model: { type: 'string' },
      user: { type: 'string' },
      'requested-by': { type: 'string' },
      'product-key': { type: 'string' },
      sample: { type: 'boolean', default: false },
      retag: { type: 'string' },
      tag: { type: 'string' },
      wait: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '3600' },
    },
    strict: true,
  });
  const key = values.key ?? env.AUTOPILOT_INTAKE_KEY;
  if (!key) throw new UsageError('An intake key is required: --key KEY or AUTOPILOT_INTAKE_KEY.');
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
    throw new UsageError('--timeout must be a number of seconds.');
  const modes = [
    values.csv !== undefined,
    values.serial !== undefined,
    values.sample,
    values.retag !== undefined,
  ].filter(Boolean).length;
  if (modes !== 1)
    throw new UsageError(
      'Give exactly one of --csv FILE, --serial S (with --hash, --manufacturer, --model), --retag FILE (with --tag) or --sample.',
    );
  let command: Command;
  if (values.retag !== undefined) {
    if (values.tag === undefined) throw new UsageError('--tag is required with --retag.');
    command = { kind: 'retag', file: values.retag, groupTag: values.tag };
  } else if (values.csv !== undefined) {
    command = {
      kind: 'csv',
      file: values.csv,
      ...(values.manufacturer ? { manufacturer: values.manufacturer } : {}),
      ...(values.model ? { model: values.model } : {}),
    };
  } else if (values.sample) {
    command = { kind: 'sample' };
  } else {
    for (const flag of ['hash', 'manufacturer', 'model'] as const)
      if (!values[flag]) throw new UsageError(`--${flag} is required with --serial.`);
    const device: Record<string, string> = {
      serialNumber: values.serial ?? '',
      hardwareHash: values.hash ?? '',
      manufacturer: values.manufacturer ?? '',
      model: values.model ?? '',
    };
    if (values.user) device.assignedUser = values.user;
    if (values['requested-by']) device.requestedBy = values['requested-by'];
    if (values['product-key']) device.productKey = values['product-key'];
    command = { kind: 'device', device };
  }
  return { server: values.server.replace(/\/+$/, ''), key, command, wait: values.wait, timeoutSeconds };
}
