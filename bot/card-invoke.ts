/** The edge of a card click: the invoke's value parsed once; only the target id and the inputs are taken. */
import { z } from 'zod';
import { VERBS, type Verb } from '../services/approvals/decision-change.js';
import type { Actor } from '../services/domain/job.js';

const invokeValueSchema = z.object({
  action: z.object({
    type: z.literal('Action.Execute'),
    verb: z.enum(VERBS),
    data: z.record(z.string(), z.unknown()).default({}),
  }),
});

const id = z.string().min(1).max(100);

/** A click on a job's card (`jobId`) or on a batch's card (`batchId`). */
export interface CardAction {
  target: { kind: 'job'; jobId: string } | { kind: 'batch'; batchId: string };
  verb: Verb;
  inputs: Record<string, unknown>;
  /** Undefined when the Teams account has no Entra identity. */
  actor: Actor | undefined;
}

export function parseCardAction(
  value: unknown,
  actor: { id?: string; name?: string },
): CardAction | undefined {
  const parsed = invokeValueSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const { jobId, batchId, ...inputs } = parsed.data.action.data;
  const job = id.safeParse(jobId);
  const batch = id.safeParse(batchId);
  // Exactly one target: a click naming both (or neither) is not one of ours.
  if (job.success === batch.success) return undefined;
  return {
    target: job.success ? { kind: 'job', jobId: job.data } : { kind: 'batch', batchId: batch.data as string },
    verb: parsed.data.action.verb,
    inputs,
    actor: actor.id ? { id: actor.id, ...(actor.name ? { name: actor.name } : {}) } : undefined,
  };
}
