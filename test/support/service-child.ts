/** Starts test/support/service-process.ts as a child process and waits until it serves requests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './free-port.js';
import type { ServiceProcessConfig } from './service-process.js';

export interface ServiceChild {
  url: string;
  process: ChildProcess;
  /** Resolves with the signal or exit code once the process has ended. */
  exited: Promise<NodeJS.Signals | number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startServiceChild(
  config: ServiceProcessConfig,
  timeoutMs = 90_000,
  /** Node flags for the service process (benchmarks give it those of `npm start`). */
  nodeFlags: readonly string[] = [],
): Promise<ServiceChild> {
  // A port of its own unless the caller chose one.
  const spec = { ...config, env: { PORT: String(await freePort()), ...config.env } };
  const profile = process.env.SERVICE_CPU_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SERVICE_CPU_PROFILE_DIR}`]
    : [];
  const args = [...nodeFlags, ...profile, '--import', 'tsx', 'test/support/service-process.ts'];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, SERVICE_CONFIG: JSON.stringify(spec) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`service did not start: ${output.slice(-800)}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /READY (\S+)/.exec(output);
      if (ready?.[1]) {
        clearTimeout(timer);
        resolve(ready[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`service exited (${String(how)}) before it was ready: ${output.slice(-800)}`));
    });
  });
  return {
    url,
    process: child,
    exited,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
