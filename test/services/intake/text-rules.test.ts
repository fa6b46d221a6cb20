import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hardwareHash } from '../../../services/intake/text-rules.js';

/** The message of the first problem, or 'ok'. */
function check(value: string): string {
  const result = hardwareHash.safeParse(value);
  return result.success ? 'ok' : (result.error.issues[0]?.message ?? 'no message');
}

describe('hardwareHash', () => {
  // 3,000, 3,001 and 3,002 bytes: no padding, "==" and "=".
  const unpadded = randomBytes(3000).toString('base64');
  const twoPads = randomBytes(3001).toString('base64');
  const onePad = randomBytes(3002).toString('base64');

  it('accepts base64 with none, one or two "=" at the end, and drops line breaks and spaces', () => {
    expect([twoPads.endsWith('=='), onePad.endsWith('=') && !onePad.endsWith('==')]).toEqual([true, true]);
    for (const hash of [unpadded, twoPads, onePad]) expect(check(hash)).toBe('ok');
    const wrapped = `${unpadded.slice(0, 76)}\r\n${unpadded.slice(76, 2000)} ${unpadded.slice(2000)}\n`;
    expect(hardwareHash.parse(wrapped)).toBe(unpadded);
  });

  it('refuses a character base64 does not use, an "=" before the end, and three "="', () => {
    const at = (i: number, c: string) => unpadded.slice(0, i) + c + unpadded.slice(i + 1);
    for (const bad of [
      at(10, '-'),
      at(10, '_'),
      at(3999, '.'),
      at(2000, '\u00e9'),
      at(10, '='),
      at(3997, '='),
    ])
      expect(check(bad), bad.slice(0, 12)).toBe('must be base64');
    expect(check(`${unpadded.slice(0, -3)}===`)).toBe('must be base64');
    expect(check(`${unpadded.slice(0, -4)}====`)).toBe('must be base64');
  });

  it('refuses an empty value, a length that is not a multiple of 4, and too few bytes for a hardware hash', () => {
    expect(check('')).toBe('is required');
    expect(check(unpadded.slice(0, -1))).toBe('must be base64');
    expect(check(randomBytes(300).toString('base64'))).toMatch(/^must decode to 512 to 16384 bytes/);
  });
});
