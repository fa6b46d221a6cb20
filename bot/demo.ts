/**
 * The demo: the service with the Graph emulator, the Agents Playground bound to the bot, its team's General
 * channel as the helpdesk channel, its mock users as approvers (all but the last, to show a refusal), and three
 * sample submissions: one that completes, one that fails with 808, one already registered.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../services/config/config.js';
import type { Logger } from '../services/logging/logger.js';
import { startApp, type RunningApp } from './app.js';
import { DEMO_SCENARIO, seedDemoWorld } from '../graph-emulator/demo-world.js';
import type { EmulatorSetup } from './graph-access.js';
import { startPlayground, type PlaygroundWorld, type RunningPlayground } from './playground.js';

export const DEMO_SAMPLES = [
  {
    serialNumber: 'DEMO-0001',
    manufacturer: 'Microsoft Corporation',
    model: 'Surface Laptop 7',
    requestedBy: 'alexw@example.com',
  },
  {
    serialNumber: 'DEMO-0808',
    manufacturer: 'Lenovo',
    model: 'ThinkPad T14 Gen 5',
    requestedBy: 'meganb@example.com',
  },
  {
    serialNumber: 'DEMO-REG1',
    manufacturer: 'HP',
    model: 'EliteBook 840 G11',
    requestedBy: 'adelev@example.com',
  },
] as const;

export const DEMO_EMULATOR: EmulatorSetup = {
  scenario: DEMO_SCENARIO,
  seed: (emulator) => seedDemoWorld(emulator.tenant),
};

export interface RunningDemo {
  app: RunningApp;
  playground?: RunningPlayground;
  stop(): Promise<void>;
}

/** The configuration with the playground's world in it: its channel and its approvers (unless configured). */
export function withPlayground(config: Config, world: PlaygroundWorld, serviceUrl: string): Config {
  const team = world.teams[0];
  const people = [world.currentUser, ...world.users];
  return {
    ...config,
    approvals: {
      ...config.approvals,
      approverIds: config.approvals.approverIds.length
        ? config.approvals.approverIds
        : people.slice(0, -1).map((u) => u.aadObjectId),
    },
    bot: {
      ...config.bot,
      ...(team
        ? {
            channel: {
              teamId: team.id,
              channelId: team.channels[0]?.id ?? team.id,
              serviceUrl: `${serviceUrl}/`,
            },
          }
        : {}),
    },
  };
}

/** Submits the samples through the intake API, once: a second start resumes from the data folder. */
async function submitSamples(app: RunningApp, logger: Logger): Promise<void> {
  if ((await app.store.list({ limit: 1 })).items.length > 0 || !app.demoKey) return;
  for (const sample of DEMO_SAMPLES) {
    const response = await fetch(`${app.url}/api/submissions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.demoKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...sample, hardwareHash: randomBytes(3000).toString('base64') }),
    });
    if (response.status >= 300)
      logger.warn({ serial: sample.serialNumber, status: response.status }, 'demo sample refused');
  }
}

export async function startDemo(
  config: Config,
  logger: Logger,
  options: { host?: string } = {},
): Promise<RunningDemo> {
  const playground =
    config.demoPlaygroundPort > 0
      ? await startPlayground({
          botEndpoint: `http://127.0.0.1:${config.port}/api/messages`,
          port: config.demoPlaygroundPort,
        })
      : undefined;
  try {
    const app = await startApp(
      playground ? withPlayground(config, playground.world, playground.serviceUrl) : config,
      logger,
      // The Playground forgets its channel with every browser session and installs the bot again.
      { ...options, emulator: DEMO_EMULATOR, repostOnInstall: playground !== undefined },
    );
    await submitSamples(app, logger);
    return {
      app,
      ...(playground ? { playground } : {}),
      async stop() {
        await app.stop();
        await playground?.stop();
      },
    };
  } catch (error) {
    await playground?.stop();
    throw error;
  }
}
