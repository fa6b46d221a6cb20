import type { z } from 'zod';
import { IntakeError } from './intake-error.js';

/** Parses with a schema; the first problem becomes an IntakeError that names the field. */
export function parseOrRefuse<T>(schema: z.ZodType<T>, value: unknown, prefix = ''): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    const field = `${prefix}${issue.keys[0] ?? ''}`;
    return refuse(new IntakeError('unknown_field', `Unknown field "${field}".`, field));
  }
  const field = `${prefix}${issue?.path.join('.') ?? ''}` || undefined;
  const message = field
    ? `${field} ${issue?.message ?? 'is invalid'}.`
    : (issue?.message ?? 'The body is invalid.');
  return refuse(new IntakeError('invalid_field', message, field));
}

function refuse(error: IntakeError): never {
  throw error;
}
