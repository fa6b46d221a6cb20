/**
 * Which address a request comes from, for limiting failed authentications per client. Behind a reverse proxy
 * (App Service's front ends, Application Gateway, Front Door) every request arrives from the proxy, and the
 * client is named in `X-Forwarded-For`; a client can write that header too, so it is read only when the
 * request comes from a configured trusted proxy (`TRUSTED_PROXIES`, addresses or CIDR ranges), and then from
 * the right: the first address that is not a trusted proxy is the client. Application Gateway writes entries as
 * `address:port`; the port is dropped. Ranges are kept in Node's own `net.BlockList`.
 */
import { BlockList, isIP } from 'node:net';

export interface TrustedProxies {
  has(address: string): boolean;
}

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) is 10.0.0.1. */
function plain(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

/** An X-Forwarded-For entry without its port: `1.2.3.4:5678` → `1.2.3.4`, `[2001:db8::1]:443` → `2001:db8::1`. */
function withoutPort(entry: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
  if (bracketed?.[1]) return bracketed[1];
  const v4 = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(entry);
  return v4?.[1] ?? entry;
}

/** Entries of TRUSTED_PROXIES that are neither an address nor a CIDR range. */
export function invalidProxyEntries(entries: readonly string[]): string[] {
  return entries.filter((entry) => {
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    if (!family || extra !== undefined) return true;
    if (bits === undefined) return false;
    const prefix = Number(bits);
    return !/^\d+$/.test(bits) || prefix > (family === 4 ? 32 : 128);
  });
}

export function trustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', bits] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return {
    has(address) {
      const ip = plain(address);
      const family = isIP(ip);
      return family !== 0 && list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

export function clientAddress(
  remote: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: TrustedProxies,
): string {
  const peer = plain(remote ?? 'unknown');
  if (!trusted.has(peer) || forwardedFor === undefined) return peer;
  const chain = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((entry) => plain(withoutPort(entry.trim())))
    .filter((entry) => isIP(entry) !== 0);
  for (let i = chain.length - 1; i >= 0; i--) if (!trusted.has(chain[i]!)) return chain[i]!;
  return chain[0] ?? peer;
}
