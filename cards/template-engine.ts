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

type CompiledTemplate = InstanceType<TemplateEngine['Template']>;

/** One Template per card template: building it prepares the template, which is the costly part of a render. */
const compiled = new WeakMap<object, CompiledTemplate>();

/** Expands a card template with the given data (`${…}` bindings, `$when`, `$data`). */
export function expandTemplate(template: object, data: unknown): Record<string, unknown> {
  let engine = compiled.get(template);
  if (!engine) {
    engine = new Template(template);
    compiled.set(template, engine);
  }
  return engine.expand({ $root: data }) as Record<string, unknown>;
}
