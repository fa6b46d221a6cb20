import { createHash } from 'node:crypto';

/**
 * A short, stable, non-reversible name for a hardware hash: shown on cards and in logs instead of the hash.
 * Computed over the decoded bytes so that base64 formatting differences do not change it.
 */
export function hashFingerprint(hardwareHashBase64: string): string {
  const bytes = Buffer.from(hardwareHashBase64, 'base64');
  const hex = createHash('sha256').update(bytes).digest('hex');
  return `sha256:${hex.slice(0, 16)}`;
}
