import { afterEach, describe, expect, it } from 'vitest';
import { GraphAuthError } from '../../../services/graph/graph-errors.js';
import { graphScope } from '../../../services/graph/token-provider.js';
import { startGraphEmulator, type RunningGraphEmulator } from '../../../graph-emulator/server.js';
import { emulatorTokens } from '../../support/graph.js';

let emulator: RunningGraphEmulator | undefined;
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

describe('the Graph scope', () => {
  it('follows the Graph base URL, so that a national cloud gets a token for its own Graph', () => {
    expect(graphScope('https://graph.microsoft.com')).toBe('https://graph.microsoft.com/.default');
    expect(graphScope('https://graph.microsoft.us/')).toBe('https://graph.microsoft.us/.default');
    expect(graphScope('https://microsoftgraph.chinacloudapi.cn')).toBe(
      'https://microsoftgraph.chinacloudapi.cn/.default',
    );
  });
});

describe('MSAL token provider against the emulator', () => {
  it('gets an app token with the client secret, with no discovery calls, and caches it', async () => {
    emulator = await startGraphEmulator();
    const tokens = emulatorTokens(emulator);
    const first = await tokens.getToken();
    const second = await tokens.getToken();
    expect(first).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(second).toBe(first);
    expect(emulator.identity.tokensIssued).toBe(1);
    expect(emulator.loginLog).toEqual([`POST /${emulator.tenantId}/oauth2/v2.0/token`]);
  });

  it('refuses a wrong secret with the AADSTS error, and never echoes the secret', async () => {
    emulator = await startGraphEmulator();
    const error = await emulatorTokens(emulator, 'wrong-secret-value')
      .getToken()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphAuthError);
    expect((error as Error).message).toContain('AADSTS7000215');
    expect((error as Error).message).not.toContain('wrong-secret-value');
  });

  it('gets a new token once the old one expires', async () => {
    // MSAL renews tokens that expire within 5 minutes, so a 2-second token is renewed on every call.
    emulator = await startGraphEmulator({ tokenLifetimeSeconds: 2 });
    const tokens = emulatorTokens(emulator);
    const first = await tokens.getToken();
    const second = await tokens.getToken();
    expect(second).not.toBe(first);
    expect(emulator.identity.tokensIssued).toBe(2);
    await new Promise((r) => setTimeout(r, 2100));
    expect(emulator.identity.authenticate(`Bearer ${second}`, Date.now())).toEqual({
      problem: 'Lifetime validation failed, the token is expired.',
    });
  });
});
