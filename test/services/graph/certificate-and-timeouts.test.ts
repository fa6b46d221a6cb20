import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import selfsigned from 'selfsigned';
import { afterEach, describe, expect, it } from 'vitest';
import { createAutopilotGraph } from '../../../services/graph/create-graph.js';
import { GraphAuthError, GraphRequestError } from '../../../services/graph/graph-errors.js';
import { localAuthority } from '../../../services/graph/local-authority.js';
import { createMsalTokenProvider } from '../../../services/graph/token-provider.js';
import { startGraphEmulator, type RunningGraphEmulator } from '../../../graph-emulator/server.js';
import { silentLogger } from '../../support/graph.js';

const CLIENT_ID = 'c0ffee00-0000-4000-8000-000000000001';
let emulator: RunningGraphEmulator | undefined;
let server: Server | undefined;
const dir = mkdtempSync(join(tmpdir(), 'aa-cert-'));
afterEach(async () => {
  await emulator?.stop();
  server?.closeAllConnections();
  server?.close();
  emulator = undefined;
  server = undefined;
});

async function certificatePem(): Promise<{ cert: string; bundle: string }> {
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'autopilot-approvals' }], {
    keyType: 'rsa',
    keySize: 2048,
  });
  return { cert: pems.cert, bundle: `${pems.private}\n${pems.cert}` };
}

describe('certificate credential', () => {
  it('gets a token with a client assertion signed by the app certificate, and is refused with another key', async () => {
    const app = await certificatePem();
    const other = await certificatePem();
    emulator = await startGraphEmulator({ apps: [{ clientId: CLIENT_ID, certificatePem: app.cert }] });
    const tokenWith = (bundle: string, name: string) => {
      const path = join(dir, name);
      writeFileSync(path, bundle);
      return createMsalTokenProvider({
        tenantId: emulator!.tenantId,
        clientId: CLIENT_ID,
        credential: { kind: 'certificate', path },
        authorityHost: emulator!.authorityHost,
        graphBaseUrl: emulator!.graphUrl,
        local: localAuthority(emulator!.authorityHost, emulator!.tenantId, emulator!.caCertificate),
      }).getToken();
    };
    expect(await tokenWith(app.bundle, 'app.pem')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const refused = await tokenWith(other.bundle, 'other.pem').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GraphAuthError);
    expect((refused as Error).message).toContain('AADSTS700027');
  });

  it('explains a certificate file that holds no certificate', () => {
    const path = join(dir, 'empty.pem');
    writeFileSync(path, 'not a pem');
    expect(() =>
      createMsalTokenProvider({
        tenantId: 't',
        clientId: CLIENT_ID,
        credential: { kind: 'certificate', path },
        authorityHost: 'https://127.0.0.1:1',
        graphBaseUrl: 'http://127.0.0.1:1',
      }),
    ).toThrow(/holds no certificate/);
  });
});

describe('timeouts', () => {
  it('gives up on a server that never answers after its attempts, with a retryable network error', async () => {
    server = createServer(() => undefined);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const graph = createAutopilotGraph({
      baseUrl: `http://127.0.0.1:${port}`,
      tokens: { getToken: () => Promise.resolve('token') },
      logger: silentLogger,
      budget: { requestsPer20s: 100, writesPer20s: 10 },
      timeoutMs: 100,
      maxAttempts: 2,
      baseDelayMs: 10,
    });
    const started = Date.now();
    const error = await graph.checkMemberGroups('user-1', ['g-1']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphRequestError);
    expect(error).toMatchObject({ status: 0, retryable: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });
});

process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
