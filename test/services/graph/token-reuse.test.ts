/** The token MSAL issued is handed out again only while MSAL would hand it back from its own cache. */
import { describe, expect, it } from 'vitest';
import { RENEWAL_OFFSET_MS, reuseToken, type IssuedToken } from '../../../services/graph/token-reuse.js';

function issuer(lifetimeMs: number, refreshInMs?: number) {
  let now = 0;
  const asked: number[] = [];
  const acquire = (): Promise<IssuedToken> => {
    asked.push(now);
    return Promise.resolve({
      accessToken: `token-${asked.length}`,
      expiresOn: new Date(now + lifetimeMs),
      ...(refreshInMs === undefined ? {} : { refreshOn: new Date(now + refreshInMs) }),
    });
  };
  return { acquire, asked, clock: () => now, at: (ms: number) => (now = ms) };
}

describe('reuseToken', () => {
  it('asks MSAL again five minutes before the token expires, not on every request', async () => {
    const { acquire, asked, clock, at } = issuer(3_600_000);
    const token = reuseToken(acquire, clock);
    expect(await token()).toBe('token-1');
    at(3_600_000 - RENEWAL_OFFSET_MS - 1);
    expect(await token()).toBe('token-1');
    at(3_600_000 - RENEWAL_OFFSET_MS);
    expect(await token()).toBe('token-2');
    expect(asked).toEqual([0, 3_600_000 - RENEWAL_OFFSET_MS]);
  });

  it('asks at refreshOn when that comes first, and always when the token lives less than the offset', async () => {
    const refreshing = issuer(3_600_000, 1_800_000);
    const token = reuseToken(refreshing.acquire, refreshing.clock);
    await token();
    refreshing.at(1_800_000);
    expect(await token()).toBe('token-2');

    const shortLived = issuer(60_000);
    const short = reuseToken(shortLived.acquire, shortLived.clock);
    await short();
    await short();
    expect(shortLived.asked).toHaveLength(2);
  });

  it('callers who ask together share one answer, and an error reaches each of them without being kept', async () => {
    let calls = 0;
    const token = reuseToken(() => {
      calls++;
      return calls === 1
        ? Promise.reject(new Error('AADSTS7000215: Invalid client secret'))
        : Promise.resolve({ accessToken: 'ok', expiresOn: new Date(Date.now() + 3_600_000) });
    });
    const first = await Promise.allSettled([token(), token()]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    expect(await Promise.all([token(), token()])).toEqual(['ok', 'ok']);
    expect(calls).toBe(2);
  });
});
