/** The edge of a card click: the invoke's value parsed once; only the target and the inputs are taken. */
import { z } from 'zod';
import { VERBS, type Verb } from '../services/approvals/decision-change.js';
import type { Actor } from '../services/domain/job.js';
import { LIFECYCLE_VERBS, type LifecycleVerb } from '../services/lifecycle/action-inputs.js';
import { serialNumber } from '../services/intake/text-rules.js';

const invokeValueSchema = z.object({
  action: z.object({
    type: z.literal('Action.Execute'),
    verb: z.enum([...VERBS, ...LIFECYCLE_VERBS]),
    data: z.record(z.string(), z.unknown()).default({}),
  }),
});

const id = z.string().min(1).max(100);

/**
 * A click on a job's card (`jobId`), a batch's card (`batchId`), or a device's look-up card (`serial` and
 * `recordId`, with a lifecycle verb).
 */
export type CardAction =
  | {
      kind: 'decision';
      target: { kind: 'job'; jobId: string } | { kind: 'batch'; batchId: string };
      verb: Verb;
      inputs: Record<string, unknown>;
      /** Undefined when the Teams account has no Entra identity. */
      actor: Actor | undefined;
    }
  | {
      kind: 'lifecycle';
      target: { kind: 'device'; serialNumber: string; recordId: string };
      verb: LifecycleVerb;
      inputs: Record<string, unknown>;
      actor: Actor | undefined;
    };

const isLifecycle = (verb: string): verb is LifecycleVerb =>
  (LIFECYCLE_VERBS as readonly string[]).includes(verb);

export function parseCardAction(
  value: unknown,
  actor: { id?: string; name?: string },
): CardAction | undefined {
  const parsed = invokeValueSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const { jobId, batchId, serial, recordId, ...inputs } = parsed.data.action.data;
  const verb = parsed.data.action.verb;
  const who = actor.id ? { id: actor.id, ...(actor.name ? { name: actor.name } : {}) } : undefined;
  if (isLifecycle(verb)) {
    // The serial as intake checks it: a short one would page through the tenant's devices.
    const s = serialNumber.safeParse(serial);
    const r = id.safeParse(recordId);
    if (!s.success || !r.success || jobId !== undefined || batchId !== undefined) return undefined;
    return {
      kind: 'lifecycle',
      target: { kind: 'device', serialNumber: s.data, recordId: r.data },
      verb,
      inputs,
      actor: who,
    };
  }
  const job = id.safeParse(jobId);
  const batch = id.safeParse(batchId);
  // Exactly one target: a click naming both (or neither) is not one of ours. Update and Replace are per device.
  if (job.success === batch.success || serial !== undefined) return undefined;
  if (batch.success && (verb === 'update' || verb === 'replace')) return undefined;
  return {
    kind: 'decision',
    target: job.success ? { kind: 'job', jobId: job.data } : { kind: 'batch', batchId: batch.data as string },
    verb,
    inputs,
    actor: who,
  };
}
