/**
 * A local Bot Framework token issuer: OpenID metadata and signing keys on loopback, and tokens signed with
 * them (or, to forge, with another key under the same key id).
 */
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalIssuer {
  metadataUrl: string;
  token(claims: Record<string, unknown>, options?: { forged?: boolean }): string;
  stop(): Promise<void>;
}

const KID = 'local-test-key';
const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function sign(payload: Record<string, unknown>, key: KeyObject): string {
  const head = `${b64url({ alg: 'RS256', typ: 'JWT', kid: KID, x5t: KID })}.${b64url(payload)}`;
  return `${head}.${createSign('RSA-SHA256').update(head).sign(key).toString('base64url')}`;
}

export async function startLocalIssuer(): Promise<LocalIssuer> {
  const real = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = real.publicKey.export({ format: 'jwk' });
  let base = '';
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/openid') {
      res.end(
        JSON.stringify({
          issuer: 'https://api.botframework.com',
          jwks_uri: `${base}/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: ['private_key_jwt'],
        }),
      );
    } else if (req.url === '/keys') {
      res.end(
        JSON.stringify({ keys: [{ ...jwk, kid: KID, use: 'sig', alg: 'RS256', endorsements: ['msteams'] }] }),
      );
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    metadataUrl: `${base}/openid`,
    token: (claims, options = {}) => sign(claims, options.forged ? other.privateKey : real.privateKey),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
