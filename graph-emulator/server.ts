/**
 * The Graph emulator: Microsoft Graph's Autopilot, device and group endpoints over HTTP, and an Entra-like
 * token endpoint over HTTPS (MSAL accepts only https authorities), with a certificate made at start that the
 * caller trusts for its own client only.
 */
import { randomUUID } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import selfsigned from 'selfsigned';
import { CONNECTION_PATH, type EmulatorConnection } from './connection.js';
import { GraphDispatcher } from './dispatch.js';
import { graphError, type EmulatorResponse } from './http-types.js';
import { EmulatedIdentity, type EmulatedApp } from './identity.js';
import { RequestLog } from './request-log.js';
import { defaultScenario, type Scenario } from './scenario.js';
import { SlidingWindowThrottle } from './throttle.js';
import { EmulatedTenant } from './world.js';

export interface GraphEmulatorOptions {
  scenario?: Partial<Scenario>;
  tenantId?: string;
  apps?: EmulatedApp[];
  tokenLifetimeSeconds?: number;
  profileGroupId?: string;
  host?: string;
  graphPort?: number;
  loginPort?: number;
  random?: () => number;
}

export interface RunningGraphEmulator {
  graphUrl: string;
  authorityHost: string;
  /** PEM of the login host's self-signed certificate. */
  caCertificate: string;
  tenantId: string;
  scenario: Scenario;
  tenant: EmulatedTenant;
  identity: EmulatedIdentity;
  log: RequestLog;
  /** Requests to the login host, as `METHOD /path`. */
  loginLog: string[];
  stop(): Promise<void>;
}

export const DEMO_TENANT_ID = '72f988bf-0000-4000-8000-00000000a11e';
export const DEMO_APP: EmulatedApp = {
  clientId: 'a11e0000-0000-4000-8000-000000000001',
  secret: 'emulator-secret',
};
const MAX_BODY = 4 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new RangeError('body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// writeHead and end are called apart on purpose: restify (in the same process in the demo) replaces
// ServerResponse.prototype.writeHead with a version that does not return the response, so chaining breaks.
function send(res: ServerResponse, response: EmulatorResponse): void {
  const headers: Record<string, string> = { 'request-id': randomUUID(), ...response.headers };
  if (response.body === undefined) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  res.writeHead(response.status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(response.body));
}

export async function startGraphEmulator(options: GraphEmulatorOptions = {}): Promise<RunningGraphEmulator> {
  const scenario = defaultScenario(options.scenario);
  const host = options.host ?? '127.0.0.1';
  const random = options.random ?? Math.random;
  const tenantId = options.tenantId ?? DEMO_TENANT_ID;
  const tenant = new EmulatedTenant(scenario, options.profileGroupId, random);
  const identity = new EmulatedIdentity(
    tenantId,
    options.apps ?? [DEMO_APP],
    options.tokenLifetimeSeconds ?? 3600,
    () => scenario.grantedPermissions,
    () => scenario.opaqueTokens === true,
  );
  const log = new RequestLog();
  const loginLog: string[] = [];
  const throttle = new SlidingWindowThrottle(scenario.throttling, 20_000 * scenario.timeScale);
  const dispatcher = new GraphDispatcher(scenario, tenant, throttle, log, random);
  let graphUrl = '';
  let authorityHost = '';

  async function onGraphRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && (req.url ?? '').split('?')[0] === CONNECTION_PATH)
      return send(res, { status: 200, body: connection() });
    const match = /^\/(v1\.0|beta)(\/.*)$/i.exec(req.url ?? '');
    if (!match)
      return send(
        res,
        graphError(400, 'BadRequest', `Resource not found for the segment '${firstSegment(req.url)}'.`),
      );
    const version = match[1]?.toLowerCase() === 'beta' ? 'beta' : 'v1.0';
    const rest = match[2] ?? '/';
    if (random() < scenario.faults.dropConnectionRate) {
      req.socket.destroy();
      return;
    }
    if (random() < scenario.faults.serviceUnavailableRate) {
      return send(res, graphError(503, 'ServiceUnavailable', 'The service is temporarily unavailable.'));
    }
    const auth = identity.authenticate(req.headers.authorization, Date.now());
    if ('problem' in auth) return send(res, graphError(401, 'InvalidAuthenticationToken', auth.problem));
    const text = await readBody(req);
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return send(res, graphError(400, 'BadRequest', 'The request body is not valid JSON.'));
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const response =
      method === 'POST' && rest.toLowerCase() === '/$batch'
        ? dispatcher.batch(body, version, auth)
        : dispatcher.dispatch(method, rest, body, version, auth, false);
    if (response.drop) {
      req.socket.destroy();
      return;
    }
    send(res, response);
  }

  async function onLoginRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', authorityHost);
    loginLog.push(`${req.method ?? 'GET'} ${url.pathname}`);
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
    const metadata = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname);
    if (req.method === 'POST' && token) {
      const form = new URLSearchParams(await readBody(req));
      return send(
        res,
        identity.token(
          token[1] ?? '',
          form,
          `${authorityHost}/${token[1] ?? ''}/oauth2/v2.0/token`,
          Date.now(),
        ),
      );
    }
    if (req.method === 'GET' && metadata)
      return send(res, { status: 200, body: identity.authorityMetadata(authorityHost) });
    if (req.method === 'GET' && url.pathname === '/common/discovery/instance') {
      return send(res, { status: 200, body: cloudDiscovery(authorityHost, tenantId) });
    }
    send(res, { status: 404, body: { error: 'not_found' } });
  }

  const connection = (): EmulatorConnection => ({
    graphUrl,
    authorityHost,
    caCertificate: pems.cert,
    tenantId,
    clientId: DEMO_APP.clientId,
    clientSecret: DEMO_APP.secret ?? '',
    timeScale: scenario.timeScale,
  });

  const handleSafely =
    (handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) =>
    (req: IncomingMessage, res: ServerResponse) => {
      handler(req, res).catch((error: unknown) => {
        try {
          if (!res.headersSent)
            send(
              res,
              graphError(
                error instanceof RangeError ? 413 : 500,
                'InternalServerError',
                'The emulator failed.',
              ),
            );
          else res.destroy();
        } catch {
          // Nothing more can be said on this connection; drop it so the client sees a failure, not a hang.
          res.destroy();
        }
      });
    };

  const pems = await selfsigned.generate([{ name: 'commonName', value: host }], {
    notAfterDate: new Date(Date.now() + 7 * 24 * 60 * 60 * 1000),
    keyType: 'ec',
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  const graphServer = createHttpServer(handleSafely(onGraphRequest));
  const loginServer = createHttpsServer({ key: pems.private, cert: pems.cert }, handleSafely(onLoginRequest));
  const graphPort = await listen(graphServer, options.graphPort ?? 0, host);
  const loginPort = await listen(loginServer, options.loginPort ?? 0, host);
  graphUrl = `http://${host}:${graphPort}`;
  authorityHost = `https://${host}:${loginPort}`;
  dispatcher.graphUrl = graphUrl;
  identity.resource = graphUrl;

  return {
    graphUrl,
    authorityHost,
    caCertificate: pems.cert,
    tenantId,
    scenario,
    tenant,
    identity,
    log,
    loginLog,
    stop: async () => {
      await Promise.all([close(graphServer), close(loginServer)]);
    },
  };
}

/** The instance-discovery answer MSAL can be given up front so that it asks nobody. */
export function cloudDiscovery(authorityHost: string, tenantId: string) {
  const hostName = new URL(authorityHost).host;
  return {
    tenant_discovery_endpoint: `${authorityHost}/${tenantId}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: hostName, preferred_cache: hostName, aliases: [hostName] }],
  };
}

function firstSegment(url: string | undefined): string {
  return (url ?? '/').split('?')[0]?.split('/').find(Boolean) ?? '';
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
