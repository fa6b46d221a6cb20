/**
 * adaptivecards-templating, typed locally. Its own declarations import `adaptivecards/src/schema`, a TypeScript
 * source file that does not compile under this project's settings, so the module is loaded through require
 * with just the type this project uses.
 */
import { createRequire } from 'node:module';

interface TemplateEngine {
  Template: new (payload: unknown) => { expand(context: { $root: unknown }): unknown };
}

const { Template } = createRequire(import.meta.url)('adaptivecards-templating') as TemplateEngine;

/** Expands a card template with the given data (`${…}` bindings, `$when`, `$data`). */
export function expandTemplate(template: unknown, data: unknown): Record<string, unknown> {
  return new Template(template).expand({ $root: data }) as Record<string, unknown>;
}
