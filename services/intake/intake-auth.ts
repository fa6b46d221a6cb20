/** Bearer intake keys, compared in constant time over their SHA-256 digests. Keys are never logged. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IntakeKey } from '../config/config.js';
import { IntakeError } from './intake-error.js';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export class IntakeAuth {
  private readonly keys: { name: string; digest: Buffer }[];

  constructor(keys: readonly IntakeKey[]) {
    this.keys = keys.map((k) => ({ name: k.name, digest: digest(k.key) }));
  }

  /** The name of the key presented in the Authorization header; throws 401 otherwise. */
  authenticate(authorization: string | undefined): string {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new IntakeError('unauthorized', 'Send an intake key as "Authorization: Bearer <key>".');
    const presented = digest(token);
    let match: string | undefined;
    // Compare with every key, so that the time taken does not tell which one (or whether any) matched.
    for (const key of this.keys) if (timingSafeEqual(key.digest, presented)) match ??= key.name;
    if (!match) throw new IntakeError('unauthorized', 'The intake key is not valid.');
    return match;
  }
}
