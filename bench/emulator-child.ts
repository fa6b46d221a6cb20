/** Starts bench/emulator-process.ts and talks to it: where it listens, its request log, its end. */
import { fork } from 'node:child_process';
import type { LoggedRequest } from '../graph-emulator/request-log.js';
import type { GraphEmulatorOptions } from '../graph-emulator/server.js';

export interface EmulatorAddress {
  graphUrl: string;
  authorityHost: string;
  caCertificate: string;
  tenantId: string;
}

export interface EmulatorChild extends EmulatorAddress {
  log(): Promise<LoggedRequest[]>;
  stop(): Promise<void>;
}

export async function startEmulatorChild(options: GraphEmulatorOptions): Promise<EmulatorChild> {
  const child = fork('bench/emulator-process.ts', [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, EMULATOR_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: { type?: string }) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        resolve(message as T);
      };
      child.on('message', onMessage);
      void exited.then(() => reject(new Error(`the emulator exited before it answered "${type}"`)));
    });
  const { address } = await next<{ address: EmulatorAddress }>('ready');
  return {
    ...address,
    async log() {
      const answer = next<{ entries: LoggedRequest[] }>('log');
      child.send({ type: 'log' });
      return (await answer).entries;
    },
    async stop() {
      child.send({ type: 'stop' });
      await exited;
    },
  };
}
