import { describe, expect, it } from 'vitest';
import {
  clientAddress,
  invalidProxyEntries,
  trustedProxies,
} from '../../../services/intake/client-address.js';

describe('clientAddress', () => {
  const trusted = trustedProxies(['10.0.0.0/8', '2001:db8::/32', '192.0.2.7']);

  it('takes the peer when it is not a trusted proxy, whatever X-Forwarded-For claims', () => {
    expect(clientAddress('198.51.100.9', '203.0.113.1', trusted)).toBe('198.51.100.9');
    expect(clientAddress('::ffff:198.51.100.9', undefined, trusted)).toBe('198.51.100.9');
  });

  it('reads X-Forwarded-For from the right behind trusted proxies, ports dropped', () => {
    // The client wrote a forged first entry; the proxies appended the real one and themselves.
    expect(clientAddress('::ffff:10.1.2.3', '1.1.1.1, 203.0.113.5:51234, 10.9.9.9', trusted)).toBe(
      '203.0.113.5',
    );
    expect(clientAddress('192.0.2.7', '[2001:db9::5]:443', trusted)).toBe('2001:db9::5');
    expect(clientAddress('10.0.0.1', ['203.0.113.8', '10.0.0.2'], trusted)).toBe('203.0.113.8');
    // Nothing but proxies and junk: the leftmost address.
    expect(clientAddress('10.0.0.1', 'not-an-ip, 10.0.0.3', trusted)).toBe('10.0.0.3');
  });

  it('names the entries of TRUSTED_PROXIES that are neither an address nor a range', () => {
    expect(
      invalidProxyEntries([
        '10.0.0.0/8',
        '::1',
        '2001:db8::/129',
        'proxy.local',
        '10.0.0.0/x',
        '1.2.3.4/8/9',
      ]),
    ).toEqual(['2001:db8::/129', 'proxy.local', '10.0.0.0/x', '1.2.3.4/8/9']);
  });
});
