import { describe, expect, it } from 'vitest';
import { newJobId } from '../../../services/domain/job-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newJobId', () => {
  it('gives UUIDs of version 7 (RFC 9562), none twice', () => {
    const ids = Array.from({ length: 5000 }, () => newJobId());
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('begins with the time in ms, so that an id made later sorts after', () => {
    const at = Date.parse('2026-12-03T20:00:00.000Z');
    const first = newJobId(at);
    expect(parseInt(first.replace('-', '').slice(0, 12), 16)).toBe(at);
    const later = [1, 2, 1000, 86_400_000].map((ms) => newJobId(at + ms));
    expect([first, ...later].sort()).toEqual([first, ...later]);
    expect(newJobId(at + 1) > newJobId(at)).toBe(true);
  });
});
