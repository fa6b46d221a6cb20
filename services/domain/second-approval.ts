/** The rule of a second approval, for a device and a batch alike: someone else, with the same tag. Pure. */
import { DomainError } from './errors.js';
import type { Actor } from './job.js';

export function secondApprovalProblem(
  first: { by: Actor; groupTag: string | null },
  second: { by: Actor; groupTag: string | null },
): DomainError | undefined {
  if (first.by.id === second.by.id)
    return new DomainError('same_approver', 'You approved first: a second, different approver must approve.');
  if (first.groupTag !== second.groupTag)
    return new DomainError(
      'tag_mismatch',
      `${first.by.name ?? first.by.id} approved with ${first.groupTag ? `tag ${first.groupTag}` : 'no tag'}: approve with the same tag, or reject.`,
    );
  return undefined;
}
