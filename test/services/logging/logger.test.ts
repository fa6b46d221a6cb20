import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../services/logging/logger.js';
import { fakeHardwareHash } from '../../support/jobs.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info' }, stream) };
}

describe('logger', () => {
  it('writes JSON and redacts hashes, secrets and tokens at any depth', () => {
    const { lines, logger } = capture();
    const hash = fakeHardwareHash();
    logger.info(
      {
        hardwareHash: hash,
        job: { device: { hardwareIdentifier: hash } },
        request: { headers: { authorization: 'Bearer abc.def.ghi' } },
        graph: { clientSecret: 'shh', access_token: 'tok' },
      },
      'hello',
    );
    const text = lines.join('');
    const entry = JSON.parse(text) as Record<string, unknown>;
    expect(entry.msg).toBe('hello');
    for (const secret of [hash, 'abc.def.ghi', 'shh', '"tok"']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });
});
