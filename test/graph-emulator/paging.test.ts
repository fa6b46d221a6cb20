/** The emulator's pages: the next items in id order after a cursor, without sorting the whole collection. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nextInIdOrder } from '../../graph-emulator/routes/route.js';

describe('nextInIdOrder', () => {
  it('gives the same pages as sorting everything, to the last, with "more" on all but the last', () => {
    const items = Array.from({ length: 1_037 }, () => ({ id: randomUUID() }));
    const sorted = [...items].sort((a, b) => (a.id < b.id ? -1 : 1));
    const seen: string[] = [];
    let after = '';
    for (;;) {
      const { page, more } = nextInIdOrder(items, after, 100);
      const expected = sorted.filter((i) => i.id > after).slice(0, 100);
      expect(page.map((i) => i.id)).toEqual(expected.map((i) => i.id));
      seen.push(...page.map((i) => i.id));
      if (!more) break;
      after = page.at(-1)?.id ?? '';
    }
    expect(seen).toEqual(sorted.map((i) => i.id));
  });

  it('answers an empty page past the end, and a short one when fewer than a page remain', () => {
    const items = ['b', 'd', 'a', 'c'].map((id) => ({ id }));
    expect(nextInIdOrder(items, 'd', 2)).toEqual({ page: [], more: false });
    expect(nextInIdOrder(items, 'b', 5)).toEqual({ page: [{ id: 'c' }, { id: 'd' }], more: false });
    expect(nextInIdOrder(items, '', 2)).toEqual({ page: [{ id: 'a' }, { id: 'b' }], more: true });
  });
});
