import { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:https';
import cosmosServerModule from '@vercel/cosmosdb-server';

/** `@vercel/cosmosdb-server` started in-process on a loopback port (HTTPS, self-signed certificate). */
export interface LocalCosmos {
  endpoint: string;
  /** Trusts the server's self-signed certificate for this client only. */
  agent: Agent;
  stop(): Promise<void>;
}

type CosmosServerFactory = () => Server;

export async function startLocalCosmos(): Promise<LocalCosmos> {
  const moduleValue = cosmosServerModule as unknown as CosmosServerFactory | { default: CosmosServerFactory };
  const create = typeof moduleValue === 'function' ? moduleValue : moduleValue.default;
  const server = create();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ rejectUnauthorized: false, keepAlive: true });
  return {
    endpoint: `https://127.0.0.1:${port}`,
    agent,
    stop: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Any base64 string: the local server does not check signatures. */
export const LOCAL_COSMOS_KEY = Buffer.from('local-test-key').toString('base64');
