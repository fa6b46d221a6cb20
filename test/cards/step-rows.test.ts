/** Step rows (cards/step-rows.ts): drawn once per distinct row, shared between cards, never changed in place. */
import { describe, expect, it } from 'vitest';
import { stepRow } from '../../cards/step-rows.js';
import { expandTemplate } from '../../cards/template-engine.js';
import template from '../../cards/templates/step-row.json' with { type: 'json' };

const pending = { icon: '⬜', label: 'Upload the hardware hash', detail: '' };

describe('stepRow', () => {
  it('is the row template drawn with the row: icon, label, and the detail on the right', () => {
    const row = { icon: '✅', label: 'Check Autopilot registration', detail: '2 s' };
    expect(stepRow(row)).toEqual(expandTemplate(template, row));
    const texts = JSON.stringify(stepRow(row));
    expect(texts).toContain('"text":"✅"');
    expect(texts).toContain('"text":"Check Autopilot registration"');
    expect(texts).toContain('"text":"2 s"');
  });

  it('gives the same element for the same row, and another for any other detail', () => {
    expect(stepRow({ ...pending })).toBe(stepRow({ ...pending }));
    const done = stepRow({ ...pending, icon: '✅', detail: '3 s' });
    expect(done).not.toBe(stepRow(pending));
    expect(stepRow({ ...pending, icon: '✅', detail: '4 s' })).not.toBe(done);
  });

  it('is frozen all the way down, so that no card can change another card’s row', () => {
    const row = stepRow(pending) as { columns: { items: { text: string }[] }[] };
    expect(Object.isFrozen(row)).toBe(true);
    const text = row.columns[1]?.items[0];
    expect(() => {
      (text as { text: string }).text = 'changed';
    }).toThrow(TypeError);
    expect(stepRow(pending)).toEqual(expandTemplate(template, pending));
  });
});
