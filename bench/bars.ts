/**
 * The bars each benchmark is held to (issue "Performance"), printed beside each figure and written into the JSON
 * with it, so that a regression shows at a glance.
 */
export interface Bar {
  measure: string;
  value: number;
  /** The bar in words, e.g. "≤ 1.15". */
  bar: string;
  met: boolean;
}

export const atMost = (measure: string, value: number, limit: number): Bar => ({
  measure,
  value,
  bar: `≤ ${limit}`,
  met: value <= limit,
});

export const below = (measure: string, value: number, limit: number): Bar => ({
  measure,
  value,
  bar: `< ${limit}`,
  met: value < limit,
});

export const atLeast = (measure: string, value: number, limit: number): Bar => ({
  measure,
  value,
  bar: `≥ ${limit}`,
  met: value >= limit,
});

/** Rows for the printed table: the figure, its bar, and whether it is met. */
export function barRows(bars: readonly Bar[]): Record<string, string | number>[] {
  return bars.map((b) => ({ measure: b.measure, value: b.value, bar: b.bar, met: b.met ? 'yes' : 'NO' }));
}
