/** The edge of a card click: the invoke's value parsed once; only the job id and the inputs are taken. */
import { z } from 'zod';
import { VERBS, type DecisionRequest } from '../services/approvals/approval-service.js';

const invokeValueSchema = z.object({
  action: z.object({
    type: z.literal('Action.Execute'),
    verb: z.enum(VERBS),
    data: z.record(z.string(), z.unknown()).default({}),
  }),
});

export function parseCardAction(
  value: unknown,
  actor: { id?: string; name?: string },
): (Omit<DecisionRequest, 'actor'> & { actor: DecisionRequest['actor'] | undefined }) | undefined {
  const parsed = invokeValueSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const { jobId, ...inputs } = parsed.data.action.data;
  if (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > 100) return undefined;
  return {
    jobId,
    verb: parsed.data.action.verb,
    inputs,
    actor: actor.id ? { id: actor.id, ...(actor.name ? { name: actor.name } : {}) } : undefined,
  };
}
