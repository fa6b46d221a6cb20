import { createRequire } from 'node:module';

interface AdaptiveCardsModule {
  AdaptiveCard: new () => { parse(json: unknown, context: unknown): void };
  SerializationContext: new () => { eventCount: number; getEventAt(i: number): { message: string } };
}

// The lib/ entry does not load under Node; the dist bundle does (see shared/reference/local-stand-ins.md).
const AC = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as AdaptiveCardsModule;

/**
 * Teams' chart elements (learn.microsoft.com, "Charts in Adaptive Cards"), which the open-source parser does not
 * know: a bar chart's data are `{x, y}` points, a donut's or pie's `{legend, value}` slices, y and value numbers.
 */
const TEAMS_CHARTS: Record<string, (point: Record<string, unknown>) => boolean> = {
  'Chart.VerticalBar': (p) => typeof p.x === 'string' && typeof p.y === 'number',
  'Chart.HorizontalBar': (p) => typeof p.x === 'string' && typeof p.y === 'number',
  'Chart.Donut': (p) => typeof p.legend === 'string' && typeof p.value === 'number',
  'Chart.Pie': (p) => typeof p.legend === 'string' && typeof p.value === 'number',
};

/** Checks each Teams chart's shape, then puts its fallback (or nothing, for "drop") in its place. */
function withoutCharts(node: unknown, problems: string[]): unknown {
  if (Array.isArray(node)) return node.map((n) => withoutCharts(n, problems)).filter((n) => n !== undefined);
  if (!node || typeof node !== 'object') return node;
  const record = node as Record<string, unknown>;
  const type = typeof record.type === 'string' ? record.type : '';
  if (type.startsWith('Chart.')) {
    const valid = TEAMS_CHARTS[type];
    if (!valid) problems.push(`${type} is not a chart Teams renders`);
    else if (!Array.isArray(record.data) || record.data.length === 0)
      problems.push(`${type} needs a non-empty data array`);
    else if (!record.data.every((p) => p && typeof p === 'object' && valid(p as Record<string, unknown>)))
      problems.push(`${type} has a data point of the wrong shape`);
    if (record.fallback === undefined) problems.push(`${type} has no fallback for hosts without charts`);
    return record.fallback === 'drop' ? undefined : withoutCharts(record.fallback, problems);
  }
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, withoutCharts(v, problems)]));
}

/** Problems the official Adaptive Cards parser reports for a card (unknown elements, bad values, …). */
export function cardProblems(card: unknown): string[] {
  const problems: string[] = [];
  const context = new AC.SerializationContext();
  new AC.AdaptiveCard().parse(withoutCharts(card, problems), context);
  return [
    ...problems,
    ...Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message),
  ];
}

/** Every Action.Execute in a card, wherever it sits. */
export function executeActions(card: unknown): { verb: string; data: unknown; title: string }[] {
  const found: { verb: string; data: unknown; title: string }[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.type === 'Action.Execute')
        found.push({ verb: String(record.verb), data: record.data, title: String(record.title) });
      Object.values(record).forEach(walk);
    }
  };
  walk(card);
  return found;
}
