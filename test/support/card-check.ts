import { createRequire } from 'node:module';

interface AdaptiveCardsModule {
  AdaptiveCard: new () => { parse(json: unknown, context: unknown): void };
  SerializationContext: new () => { eventCount: number; getEventAt(i: number): { message: string } };
}

// The lib/ entry does not load under Node; the dist bundle does (see shared/reference/local-stand-ins.md).
const AC = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as AdaptiveCardsModule;

/** Problems the official Adaptive Cards parser reports for a card (unknown elements, bad values, …). */
export function cardProblems(card: unknown): string[] {
  const context = new AC.SerializationContext();
  new AC.AdaptiveCard().parse(card, context);
  return Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message);
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
