/** App-only tokens for Graph through @azure/msal-node's confidential client, with MSAL's own token cache. */
import { readFileSync } from 'node:fs';
import { createHash, X509Certificate } from 'node:crypto';
import { ConfidentialClientApplication, type Configuration } from '@azure/msal-node';
import { GraphAuthError } from './graph-errors.js';
import { TrustedCaNetworkClient } from './msal-network.js';
import { reuseToken } from './token-reuse.js';
import type { GraphCredential } from '../config/config.js';

/**
 * The app-only scope for a Graph endpoint: its own URL with `/.default`, so that a national cloud's Graph
 * (graph.microsoft.us, microsoftgraph.chinacloudapi.cn, …) gets a token for itself, not for the global one.
 */
export function graphScope(graphBaseUrl: string): string {
  return `${graphBaseUrl.replace(/\/+$/, '')}/.default`;
}

export interface TokenProvider {
  getToken(): Promise<string>;
}

export interface MsalTokenOptions {
  tenantId: string;
  clientId: string;
  credential: GraphCredential;
  authorityHost: string;
  /** The Graph base URL the tokens are for (the scope follows it). */
  graphBaseUrl: string;
  /**
   * For a local authority (the emulator): its CA certificate, and the metadata MSAL would otherwise discover
   * over the network. With both, MSAL makes no discovery calls.
   */
  local?: { caCertificate: string; authorityMetadata: object; cloudDiscoveryMetadata: object };
}

function credentialOptions(
  credential: GraphCredential,
): Pick<NonNullable<Configuration['auth']>, 'clientSecret' | 'clientCertificate'> {
  if (credential.kind === 'secret') return { clientSecret: credential.secret };
  const pem = readFileSync(credential.path, 'utf8');
  const certificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!certificate) throw new GraphAuthError(`${credential.path} holds no certificate.`);
  const thumbprintSha256 = createHash('sha256').update(new X509Certificate(certificate).raw).digest('hex');
  return { clientCertificate: { thumbprintSha256, privateKey: pem, x5c: certificate } };
}

export function createMsalTokenProvider(options: MsalTokenOptions): TokenProvider {
  const authority = `${options.authorityHost}/${options.tenantId}`;
  const scopes = [graphScope(options.graphBaseUrl)];
  const app = new ConfidentialClientApplication({
    auth: {
      clientId: options.clientId,
      authority,
      ...credentialOptions(options.credential),
      ...(options.local
        ? {
            knownAuthorities: [new URL(options.authorityHost).host],
            authorityMetadata: JSON.stringify(options.local.authorityMetadata),
            cloudDiscoveryMetadata: JSON.stringify(options.local.cloudDiscoveryMetadata),
          }
        : {}),
    },
    ...(options.local
      ? { system: { networkClient: new TrustedCaNetworkClient(options.local.caCertificate) } }
      : {}),
  });
  const token = reuseToken(async () => {
    const result = await app.acquireTokenByClientCredential({ scopes });
    if (!result?.accessToken) throw new GraphAuthError('The token endpoint returned no access token.');
    return result;
  });
  return {
    async getToken() {
      try {
        return await token();
      } catch (error) {
        if (error instanceof GraphAuthError) throw error;
        // MSAL's message carries the AADSTS code and text, never the secret.
        const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
        throw new GraphAuthError(`Could not get a Graph token: ${message}`, error);
      }
    },
  };
}
