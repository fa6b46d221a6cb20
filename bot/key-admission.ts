/**
 * Admission by bearer key, for the intake and export APIs alike. The key first: a request with a good key is
 * limited per key only, so junk from any address (behind a proxy every client shares one) cannot lock out the
 * devices, CLIs and report readers. Failed authentications are limited per client address, separately: past the
 * limit they get 429 rather than 401.
 */
import type { IncomingMessage } from 'node:http';
import { clientAddress, type TrustedProxies } from '../services/intake/client-address.js';
import type { IntakeAuth } from '../services/intake/intake-auth.js';
import { IntakeError } from '../services/intake/intake-error.js';
import type { RateLimiter } from '../services/intake/rate-limiter.js';

export interface KeyAdmissionDeps {
  auth: IntakeAuth;
  /** Requests per key. */
  limiter: RateLimiter;
  /** Failed authentications per client address. */
  failures: RateLimiter;
  trusted: TrustedProxies;
}

/** The key's name, or an IntakeError (401 for a bad key, 429 past a limit). */
export function admitKey(
  req: IncomingMessage,
  deps: KeyAdmissionDeps,
  limit: { bucket: string; tooMany: string },
): string {
  let keyName: string;
  try {
    keyName = deps.auth.authenticate(req.headers.authorization);
  } catch (error) {
    const address = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], deps.trusted);
    const failures = deps.failures.take([`fail:${address}`]);
    if (!failures.ok)
      throw new IntakeError(
        'rate_limited',
        'Too many failed authentications from this address.',
        undefined,
        failures.retryAfterMs,
      );
    throw error;
  }
  const byKey = deps.limiter.take([`${limit.bucket}:${keyName}`]);
  if (!byKey.ok) throw new IntakeError('rate_limited', limit.tooMany, undefined, byKey.retryAfterMs);
  return keyName;
}
