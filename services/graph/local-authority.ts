/** MSAL options for a local authority (the Graph emulator): trust its certificate, skip discovery. */
import type { MsalTokenOptions } from './token-provider.js';

export function localAuthority(
  authorityHost: string,
  tenantId: string,
  caCertificate: string,
): NonNullable<MsalTokenOptions['local']> {
  const base = `${authorityHost}/${tenantId}`;
  const host = new URL(authorityHost).host;
  return {
    caCertificate,
    authorityMetadata: {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      issuer: `${base}/v2.0`,
    },
    cloudDiscoveryMetadata: {
      tenant_discovery_endpoint: `${base}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    },
  };
}
