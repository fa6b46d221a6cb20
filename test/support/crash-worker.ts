/**
 * Crash tests' worker: a pipeline worker in a child process (test/support/worker-process.ts) that is killed with
 * SIGKILL at chosen points (its own "<step>:<state>", or a Graph request the emulator sees), then replaced.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { DEMO_APP } from '../../graph-emulator/server.js';
import type { LoggedRequest } from '../../graph-emulator/request-log.js';
import { testSettings, type PipelineFixture } from './pipeline.js';

export type CrashPoint = { self: string } | { request: (entry: LoggedRequest) => boolean; label: string };

export function runWorker(
  fx: PipelineFixture,
  profileGroupId: string | undefined,
  crashAt?: string,
): ChildProcess {
  const config = {
    dbPath: fx.dbPath,
    graphUrl: fx.emulator.graphUrl,
    authorityHost: fx.emulator.authorityHost,
    tenantId: fx.emulator.tenantId,
    clientId: DEMO_APP.clientId,
    secret: DEMO_APP.secret,
    caCertificate: fx.emulator.caCertificate,
    settings: testSettings({ leaseMs: 300, ...(profileGroupId ? { profileGroupId } : {}) }),
    owner: `worker-${randomUUID().slice(0, 6)}`,
    ...(crashAt ? { crashAt } : {}),
  };
  return spawn(process.execPath, ['--import', 'tsx', 'test/support/worker-process.ts'], {
    env: { ...process.env, WORKER_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export const exited = (proc: ChildProcess) =>
  new Promise<NodeJS.Signals | number | null>((resolve) =>
    proc.once('exit', (code, signal) => resolve(signal ?? code)),
  );

/** A crash point inside a write whose path matches: the worker dies while Graph applies it. */
export const insideWrite = (pattern: RegExp, label: string): CrashPoint => ({
  label,
  request: (e) => e.method !== 'GET' && pattern.test(e.path),
});

/** A crash point after a read whose path matches: the worker dies with Graph's answer on its way. */
export const afterRead = (pattern: RegExp, label: string): CrashPoint => ({
  label,
  request: (e) => e.method === 'GET' && pattern.test(e.path),
});

/**
 * Runs a worker per crash point until the jobs finish (the points left are then skipped); returns the crashes
 * that happened. `current` holds the running child, for the test's clean-up.
 */
export async function crashThrough(
  fx: PipelineFixture,
  points: readonly CrashPoint[],
  jobIds: string[],
  current: { child?: ChildProcess },
  profileGroupId?: string,
): Promise<string[]> {
  const crashes: string[] = [];
  for (const point of points) {
    const proc = (current.child = runWorker(fx, profileGroupId, 'self' in point ? point.self : undefined));
    let unsubscribe = () => undefined as void;
    if ('request' in point) {
      unsubscribe = fx.emulator.log.subscribe((entry) => {
        if (point.request(entry)) proc.kill('SIGKILL');
      });
    }
    const ended = await Promise.race([
      exited(proc),
      fx.waitForTerminal(jobIds, 30_000).then(() => 'finished' as const),
    ]);
    unsubscribe();
    if (ended === 'finished') {
      // The jobs finished before this point was reached: the worker is stopped, not left running.
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await exited(proc);
      }
      break;
    }
    if (ended !== 'SIGKILL') throw new Error(`the worker ended with ${String(ended)}, not a kill`);
    crashes.push('self' in point ? point.self : point.label);
  }
  return crashes;
}
