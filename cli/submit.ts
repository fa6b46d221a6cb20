/** autopilot-submit: send devices to the intake API and, with --wait, follow them to the end. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { IntakeClient, type JobView, type Refusal } from './client.js';
import { parseCliArgs, UsageError, USAGE, type CliOptions } from './args.js';
import { jobsTable, progressBar, table, TERMINAL } from './render.js';

interface Submitted {
  serialNumber: string;
  id: string;
}

const out = (line: string) => process.stdout.write(`${line}\n`);

function sampleDevice(): Record<string, string> {
  return {
    serialNumber: `DEMO-${randomBytes(4).toString('hex').toUpperCase()}`,
    hardwareHash: randomBytes(3000).toString('base64'),
    manufacturer: 'Contoso',
    model: 'Surface Laptop 7',
  };
}

async function submitDevice(
  client: IntakeClient,
  device: Record<string, string>,
): Promise<{ submitted: Submitted[]; refused: number }> {
  const reply = await client.submit(device);
  if (reply.status === 202 || reply.status === 200) {
    const { id, status } = reply.body as { id: string; status: string };
    out(
      `${device.serialNumber}: ${reply.status === 200 ? 'already open as' : 'submitted as'} ${id} (${status})`,
    );
    return { submitted: [{ serialNumber: device.serialNumber ?? '', id }], refused: 0 };
  }
  const { error } = reply.body as Refusal;
  out(
    `${device.serialNumber}: refused (${reply.status} ${error.code}${error.field ? `, ${error.field}` : ''}): ${error.message}`,
  );
  return { submitted: [], refused: 1 };
}

interface BatchReply {
  batchId?: string;
  accepted?: number;
  refused?: number;
  rows?: (
    | { line: number; serialNumber: string; result: 'accepted'; jobId: string; existing: boolean }
    | { line: number; serialNumber: string; result: 'refused'; reason: string }
  )[];
  report?: BatchReply;
  error?: Refusal['error'];
}

async function submitCsv(
  client: IntakeClient,
  command: Extract<CliOptions['command'], { kind: 'csv' | 'retag' }>,
) {
  const file = readFileSync(command.file);
  const reply =
    command.kind === 'retag'
      ? await client.submitRetag(file, command.groupTag)
      : await client.submitCsv(file, {
          ...(command.manufacturer ? { manufacturer: command.manufacturer } : {}),
          ...(command.model ? { model: command.model } : {}),
        });
  const body = reply.body as BatchReply;
  const report = body.report ?? body;
  if (!report.rows) {
    out(`${command.file}: refused (${reply.status} ${body.error?.code ?? ''}): ${body.error?.message ?? ''}`);
    return { submitted: [], refused: 1 };
  }
  const refusedRows = report.rows.filter((r) => r.result === 'refused');
  out(
    `${command.file}: ${report.accepted ?? 0} accepted, ${report.refused ?? 0} refused${report.batchId ? ` (batch ${report.batchId})` : ''}`,
  );
  if (refusedRows.length)
    out(
      table([
        ['LINE', 'SERIAL', 'REASON'],
        ...refusedRows.map((r) => [String(r.line), r.serialNumber, r.result === 'refused' ? r.reason : '']),
      ]),
    );
  const submitted = report.rows.flatMap((r) =>
    r.result === 'accepted' ? [{ serialNumber: r.serialNumber, id: r.jobId }] : [],
  );
  return { submitted, refused: refusedRows.length };
}

async function follow(
  client: IntakeClient,
  submitted: Submitted[],
  timeoutSeconds: number,
): Promise<JobView[]> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const latest = new Map<string, JobView>();
  const tty = process.stdout.isTTY;
  let shown = -1;
  const show = () => {
    const done = [...latest.values()].filter((j) => TERMINAL.has(j.status)).length;
    if (done === shown) return;
    shown = done;
    if (tty) process.stdout.write(`\r${progressBar(done, submitted.length)}`);
    else out(progressBar(done, submitted.length));
  };
  // One status request per 500 jobs (a whole CSV), not one long-poll per job.
  let since: string | undefined;
  let open = submitted.map((s) => s.id);
  while (open.length > 0 && Date.now() < deadline) {
    const wait = Math.min(25, Math.max(1, Math.ceil((deadline - Date.now()) / 1000)));
    const chunks = Array.from({ length: Math.ceil(open.length / 500) }, (_, i) =>
      open.slice(i * 500, i * 500 + 500),
    );
    const asked = Date.now();
    const views = (await Promise.all(chunks.map((ids) => client.status(ids, since, wait)))).flat();
    // Jobs that move all the time would answer at once: ask at most once a second, well within the key's limit.
    await new Promise((r) => setTimeout(r, Math.max(0, 1_000 - (Date.now() - asked))));
    for (const job of views) {
      latest.set(job.id, job);
      if (!since || job.updatedAt > since) since = job.updatedAt;
    }
    show();
    open = open.filter((id) => !TERMINAL.has(latest.get(id)?.status ?? ''));
  }
  if (tty) process.stdout.write('\n');
  return submitted.map(
    ({ id, serialNumber }) => latest.get(id) ?? { id, serialNumber, status: 'unknown', updatedAt: '' },
  );
}

export async function run(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCliArgs(argv, env);
  } catch (error) {
    out(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  const client = new IntakeClient(options.server, options.key);
  try {
    const { command } = options;
    const result =
      command.kind === 'csv' || command.kind === 'retag'
        ? await submitCsv(client, command)
        : await submitDevice(client, command.kind === 'sample' ? sampleDevice() : command.device);
    if (!options.wait || result.submitted.length === 0)
      return result.refused > 0 || result.submitted.length === 0 ? 1 : 0;
    out(`Following ${result.submitted.length} job(s); an approver must approve them in Teams.`);
    const jobs = await follow(client, result.submitted, options.timeoutSeconds);
    out(jobsTable(jobs));
    return result.refused > 0 || jobs.some((j) => j.status !== 'completed') ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    out(`Could not talk to ${options.server}: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
}
