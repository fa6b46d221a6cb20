/**
 * The client-credentials token endpoint and the authority metadata MSAL reads, for one tenant. Answers with
 * AADSTS-style errors like Entra ID does. Tokens are shaped like Entra's app-only access tokens (a JWT whose
 * `roles` claim holds the application permissions granted when it was issued, `aud` the Graph resource),
 * signed with a key of the emulator's own and remembered with their client, roles and expiry.
 */
import { constants, createHmac, createPublicKey, randomBytes, verify, X509Certificate } from 'node:crypto';
import type { EmulatorResponse } from './http-types.js';

export interface EmulatedApp {
  clientId: string;
  secret?: string;
  /** PEM of the app's certificate, to check client assertions signed with its key. */
  certificatePem?: string;
}

interface IssuedToken {
  clientId: string;
  roles: readonly string[];
  expiresAt: number;
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

const aadError = (status: number, error: string, code: number, description: string): EmulatorResponse => ({
  status,
  body: {
    error,
    error_description: `AADSTS${code}: ${description}`,
    error_codes: [code],
    timestamp: new Date().toISOString(),
    trace_id: crypto.randomUUID(),
    correlation_id: crypto.randomUUID(),
  },
});

export class EmulatedIdentity {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly signingKey = randomBytes(32);
  tokensIssued = 0;
  /** The Graph resource tokens are for: the emulator's own Graph URL, set once it listens. */
  resource = '';

  constructor(
    readonly tenantId: string,
    private readonly apps: EmulatedApp[],
    private readonly tokenLifetimeSeconds: number,
    /** The app roles granted right now (the scenario's); a token carries those of the moment it is issued. */
    private readonly grantedPermissions: () => readonly string[] = () => [],
    /**
     * Issue tokens a client cannot read. Microsoft's identity platform docs ("Access tokens": access tokens are
     * opaque to clients, may be encrypted, and their format may change) tell clients not to read them, so a
     * client must never depend on the `roles` claim being readable.
     */
    private readonly opaqueTokens: () => boolean = () => false,
  ) {}

  authorityMetadata(authorityHost: string) {
    const base = `${authorityHost}/${this.tenantId}`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      jwks_uri: `${authorityHost}/${this.tenantId}/discovery/v2.0/keys`,
      issuer: `${base}/v2.0`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      grant_types_supported: ['client_credentials'],
    };
  }

  /** The `POST /{tenant}/oauth2/v2.0/token` handler. */
  token(tenant: string, form: URLSearchParams, tokenEndpoint: string, now: number): EmulatorResponse {
    if (tenant.toLowerCase() !== this.tenantId.toLowerCase()) {
      return aadError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found.`);
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return aadError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    }
    const clientId = form.get('client_id') ?? '';
    const app = this.apps.find((a) => a.clientId === clientId);
    if (!app)
      return aadError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory.`,
      );
    const scope = form.get('scope') ?? '';
    if (!scope.endsWith('/.default')) {
      return aadError(
        400,
        'invalid_scope',
        1002012,
        'The provided value for scope is not valid; client credentials need /.default.',
      );
    }
    // The scope names the resource: in a national cloud it follows the Graph endpoint (graph.microsoft.us, …).
    const resource = scope.slice(0, -'/.default'.length);
    if (resource.toLowerCase() !== this.resource.toLowerCase()) {
      return aadError(
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${resource} was not found in the tenant named ${this.tenantId}.`,
      );
    }
    const problem = this.checkCredential(app, form, tokenEndpoint, now);
    if (problem) return problem;
    const roles = [...this.grantedPermissions()];
    const expiresAt = now + this.tokenLifetimeSeconds * 1000;
    const token = this.opaqueTokens()
      ? randomBytes(48).toString('base64url')
      : this.sign({
          aud: this.resource,
          iss: `https://sts.windows.net/${this.tenantId}/`,
          tid: this.tenantId,
          appid: clientId,
          idtyp: 'app',
          roles,
          iat: Math.floor(now / 1000),
          exp: Math.floor(expiresAt / 1000),
          uti: randomBytes(8).toString('base64url'),
        });
    this.tokens.set(token, { clientId, roles, expiresAt });
    this.tokensIssued++;
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        expires_in: this.tokenLifetimeSeconds,
        ext_expires_in: this.tokenLifetimeSeconds,
        access_token: token,
      },
    };
  }

  private checkCredential(
    app: EmulatedApp,
    form: URLSearchParams,
    tokenEndpoint: string,
    now: number,
  ): EmulatorResponse | undefined {
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    if (secret !== null) {
      return secret === app.secret
        ? undefined
        : aadError(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
    }
    if (assertion !== null && app.certificatePem) {
      return this.assertionValid(assertion, app, tokenEndpoint, now)
        ? undefined
        : aadError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
    }
    return aadError(
      401,
      'invalid_client',
      7000218,
      "The request body must contain 'client_assertion' or 'client_secret'.",
    );
  }

  private assertionValid(assertion: string, app: EmulatedApp, tokenEndpoint: string, now: number): boolean {
    const [header, payload, signature] = assertion.split('.');
    if (!header || !payload || !signature || !app.certificatePem) return false;
    const head = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: string };
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const key = createPublicKey(
      new X509Certificate(app.certificatePem).publicKey.export({ type: 'spki', format: 'pem' }),
    );
    const data = Buffer.from(`${header}.${payload}`);
    const sig = Buffer.from(signature, 'base64url');
    const ok =
      head.alg === 'PS256'
        ? verify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig)
        : head.alg === 'RS256' && verify('sha256', data, key, sig);
    return (
      ok &&
      claims.iss === app.clientId &&
      claims.sub === app.clientId &&
      claims.aud === tokenEndpoint &&
      typeof claims.exp === 'number' &&
      claims.exp * 1000 > now
    );
  }

  private sign(claims: object): string {
    const unsigned = `${base64url({ typ: 'JWT', alg: 'HS256' })}.${base64url(claims)}`;
    return `${unsigned}.${createHmac('sha256', this.signingKey).update(unsigned).digest('base64url')}`;
  }

  /** The client and roles behind a bearer token, or why it is refused. */
  authenticate(
    authorization: string | undefined,
    now: number,
  ): { clientId: string; roles: readonly string[] } | { problem: string } {
    const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    if (!token) return { problem: 'Access token is empty.' };
    const issued = this.tokens.get(token);
    if (!issued) return { problem: 'Access token validation failure. Invalid audience or signature.' };
    if (issued.expiresAt <= now) return { problem: 'Lifetime validation failed, the token is expired.' };
    return { clientId: issued.clientId, roles: issued.roles };
  }
}
