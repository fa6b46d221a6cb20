/**
 * Runs a benchmark of the service in a fresh Node process started the way `npm start` starts the service, with
 * the Node flags of package.json's start script (its heap size among them): what is measured, memory above all, is
 * the service as it runs, not the benchmark runner with earlier runs' leftovers in its heap.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The Node flags (`--name` or `--name=value`) that `npm start` gives the service. */
export function serviceNodeFlags(startScript?: string): string[] {
  const script =
    startScript ??
    (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start;
  return script.split(/\s+/).filter((word) => /^--[a-z][a-z0-9-]*(=\S+)?$/.test(word));
}

/** Runs `module` (a bench script that sends its result over IPC and exits) in a service-like process. */
export function inServiceProcess<T>(module: string, args: string[]): Promise<T> {
  const child = fork(module, args, {
    execArgv: ['--import', 'tsx', ...serviceNodeFlags()],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise<T>((resolve, reject) => {
    let result: { ok: true; value: T } | { ok: false; error: string } | undefined;
    child.on('message', (message: typeof result) => (result = message));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (result?.ok) resolve(result.value);
      else reject(new Error(result?.error ?? `${module} exited with code ${code} and no result`));
    });
  });
}
