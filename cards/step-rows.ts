/**
 * The rows of a job card's step list, each drawn from its own template (templates/step-row.json) once per distinct
 * row and then reused. A card shows up to ten of them, mostly the same few ("⬜ Upload the hardware hash" with
 * nothing beside it, or "✅ … 2 s"), and drawing them was half the cost of drawing the card: the templating
 * library evaluates each binding by listing and lower-casing every key of the data it looks in (adaptive-expressions'
 * case-insensitive property access, botbuilder-js #4860).
 */
import { expandTemplate } from './template-engine.js';
import template from './templates/step-row.json' with { type: 'json' };

export interface StepRowView {
  icon: string;
  label: string;
  /** How long the step took or has taken so far, or why it was skipped; '' when it has not started. */
  detail: string;
}

/** Rows kept: far more than the distinct rows of a day's cards; the oldest goes first when it is full. */
const KEPT = 2_000;
const drawn = new Map<string, Readonly<Record<string, unknown>>>();

function freeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) freeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** The row as a card element. It is shared between cards, so it is frozen: no card may change it in place. */
export function stepRow(row: StepRowView): Readonly<Record<string, unknown>> {
  const key = `${row.icon}\u0000${row.label}\u0000${row.detail}`;
  let element = drawn.get(key);
  if (!element) {
    element = freeze(expandTemplate(template, row));
    if (drawn.size >= KEPT) drawn.delete(drawn.keys().next().value as string);
    drawn.set(key, element);
  }
  return element;
}
