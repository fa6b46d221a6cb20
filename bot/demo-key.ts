/** The demo's intake key: made once, kept in the data folder so that it survives restarts. Demo mode only. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IntakeKey } from '../services/config/config.js';

export function demoIntakeKey(dataDir: string): IntakeKey {
  const path = join(dataDir, 'demo-intake-key');
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
  }
  return { name: 'demo', key: readFileSync(path, 'utf8').trim() };
}
