/**
 * The rule of a second approval, for a device and a batch alike: someone else, with the same tag (and, for a device
 * already registered, the same choice of Update it or Replace it). Pure.
 */
import { DomainError } from './errors.js';
import type { Actor } from './job.js';

export function secondApprovalProblem(
  first: { by: Actor; groupTag: string | null; plan?: 'update' | 'replace' },
  second: { by: Actor; groupTag: string | null; plan?: 'update' | 'replace' },
): DomainError | undefined {
  if (first.by.id === second.by.id)
    return new DomainError('same_approver', 'You approved first: a second, different approver must approve.');
  if (first.groupTag !== second.groupTag)
    return new DomainError(
      'tag_mismatch',
      `${first.by.name ?? first.by.id} approved with ${first.groupTag ? `tag ${first.groupTag}` : 'no tag'}: approve with the same tag, or reject.`,
    );
  // For a device already registered, the second approver confirms what the first chose: update or replace.
  if (first.plan !== second.plan) {
    const chose = (plan: string | undefined) =>
      plan === undefined ? 'Approve' : plan === 'update' ? 'Update it' : 'Replace it';
    return new DomainError(
      'plan_mismatch',
      `${first.by.name ?? first.by.id} chose ${chose(first.plan)}: choose the same, or reject.`,
    );
  }
  return undefined;
}
