/**
 * The Microsoft 365 Agents Playground (a local Teams stand-in) as a child process bound to the bot, for the demo
 * and tests. It opens no browser and sends no telemetry.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';

export interface PlaygroundUser {
  id: string;
  name: string;
  aadObjectId: string;
}

export interface PlaygroundWorld {
  tenantId: string;
  currentUser: PlaygroundUser;
  users: PlaygroundUser[];
  personalChat: { id: string };
  teams: { id: string; channels: { id: string; name: string }[] }[];
}

export interface RunningPlayground {
  url: string;
  /** The connector the bot talks back to. */
  serviceUrl: string;
  world: PlaygroundWorld;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startPlayground(options: {
  botEndpoint: string;
  port: number;
}): Promise<RunningPlayground> {
  const cli = createRequire(import.meta.url).resolve('@microsoft/m365agentsplayground/cli.js');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      cli,
      'start',
      '-e',
      options.botEndpoint,
      '-c',
      'msteams',
      '--disable-telemetry',
      '-p',
      String(options.port),
    ],
    {
      env: { ...process.env, TEAMSAPPTESTER_BROWSER: 'none' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${options.port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`The Agents Playground exited: ${output.slice(-500)}`);
    try {
      const response = await fetch(`${url}/_internal/v1/config`);
      if (response.ok) {
        const { config } = (await response.json()) as { config: PlaygroundWorld };
        return { url, serviceUrl: `${url}/_connector`, world: config, stop };
      }
    } catch {
      // Not listening yet: try again shortly.
    }
    await sleep(100);
  }
  await stop();
  throw new Error(`The Agents Playground did not start on port ${options.port}: ${output.slice(-500)}`);
}
