/**
 * What an approver asks for on a device's look-up card, checked before anything is stored: each action's inputs
 * (the new tag, name or user, and always the ticket), with problems named per input for the card to show.
 */
import { checkGroupTag, commentProblem, text, type InputProblem } from '../approvals/decision-inputs.js';
import type { ApprovalConfig } from '../config/config.js';
import { deviceNameProblem } from '../domain/device-name.js';
import type { DeviceChange } from '../domain/job.js';
import { userPrincipalName } from '../intake/text-rules.js';

export const LIFECYCLE_VERBS = ['retag', 'rename', 'assignUser', 'removeUser', 'deregister'] as const;
export type LifecycleVerb = (typeof LIFECYCLE_VERBS)[number];

export type CheckedAction =
  | {
      ok: true;
      kind: 'change' | 'deregister';
      change?: DeviceChange;
      comment: string;
      enrolledConfirmed: boolean;
    }
  | { ok: false; problems: InputProblem[] };

function changeFor(
  verb: Exclude<LifecycleVerb, 'deregister'>,
  inputs: Record<string, unknown>,
  config: ApprovalConfig,
): { change?: DeviceChange; problem?: InputProblem } {
  switch (verb) {
    case 'retag': {
      const { groupTag, problem } = checkGroupTag(inputs.groupTag, config);
      return problem ? { problem } : { change: { groupTag } };
    }
    case 'rename': {
      const name = text(inputs.deviceName);
      const problem = name ? deviceNameProblem(name) : 'Enter the device name.';
      return problem
        ? { problem: { input: 'deviceName', message: problem } }
        : { change: { displayName: name } };
    }
    case 'assignUser': {
      const parsed = userPrincipalName.safeParse(text(inputs.user));
      return parsed.success
        ? { change: { user: parsed.data } }
        : {
            problem: {
              input: 'user',
              message: `The user ${parsed.error.issues[0]?.message ?? 'is not valid'}.`,
            },
          };
    }
    case 'removeUser':
      return { change: { user: null } };
  }
}

export function checkActionInputs(
  verb: LifecycleVerb,
  inputs: Record<string, unknown>,
  config: ApprovalConfig,
): CheckedAction {
  const problems: InputProblem[] = [];
  const comment = text(inputs.comment);
  const ticket = commentProblem(comment, config);
  if (ticket) problems.push(ticket);
  const enrolledConfirmed = text(inputs.confirmEnrolled) === 'true';
  if (verb === 'deregister')
    return problems.length
      ? { ok: false, problems }
      : { ok: true, kind: 'deregister', comment, enrolledConfirmed };
  const { change, problem } = changeFor(verb, inputs, config);
  if (problem) problems.push(problem);
  if (problems.length || !change) return { ok: false, problems };
  return { ok: true, kind: 'change', change, comment, enrolledConfirmed };
}
