/**
 * The inputs an approver types on the card, checked against the configuration. Problems are reported per input
 * so the card can show each message beside its field.
 */
import type { ApprovalConfig } from '../config/config.js';
import { deviceNameProblem } from '../domain/device-name.js';

export const NO_TAG = '__no_tag__';

export interface InputProblem {
  input: 'groupTag' | 'comment' | 'reason' | 'deviceName' | 'user' | 'confirmEnrolled';
  message: string;
}

const HIDDEN = /[\p{Cc}\p{Cf}]/u;

export function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** The chosen group tag (`null` for "no tag"), or the problem with it. */
export function checkGroupTag(
  value: unknown,
  config: ApprovalConfig,
): { groupTag: string | null; problem?: InputProblem } {
  const tag = text(value);
  if (tag === NO_TAG || (tag === '' && config.groupTags.length === 0))
    return config.allowNoTag
      ? { groupTag: null }
      : { groupTag: null, problem: { input: 'groupTag', message: 'Choose a group tag.' } };
  if (config.groupTags.includes(tag)) return { groupTag: tag };
  return {
    groupTag: null,
    problem: {
      input: 'groupTag',
      message: tag ? `"${tag.slice(0, 64)}" is not one of the configured group tags.` : 'Choose a group tag.',
    },
  };
}

/** The ticket or comment an approver enters, checked against TICKET_PATTERN and its length. */
export function commentProblem(comment: string, config: ApprovalConfig): InputProblem | undefined {
  const problem = (message: string): InputProblem => ({ input: 'comment', message });
  if (!comment) return problem('Enter the ticket or a comment.');
  if (comment.length > config.ticketMaxLength)
    return problem(`Keep it to ${config.ticketMaxLength} characters.`);
  if (HIDDEN.test(comment)) return problem('Remove control or formatting characters.');
  if (config.ticketPattern && !config.ticketPattern.regex.test(comment))
    return problem(config.ticketPattern.message);
  return undefined;
}

export function checkApprovalInputs(
  inputs: Record<string, unknown>,
  config: ApprovalConfig,
  /** A corporate identifier has no group tag (device preparation does not use one): none is asked for. */
  options: { tagless?: boolean } = {},
):
  | { ok: true; groupTag: string | null; comment: string; deviceName?: string }
  | { ok: false; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const { groupTag, problem: tagProblem } = options.tagless
    ? { groupTag: null, problem: undefined }
    : checkGroupTag(inputs.groupTag, config);
  if (tagProblem) problems.push(tagProblem);
  const comment = text(inputs.comment);
  const ticketProblem = commentProblem(comment, config);
  if (ticketProblem) problems.push(ticketProblem);
  // Optional: empty leaves the name to Windows or the Autopilot profile.
  const deviceName = text(inputs.deviceName);
  const nameProblem = deviceName ? deviceNameProblem(deviceName) : undefined;
  if (nameProblem) problems.push({ input: 'deviceName', message: nameProblem });
  return problems.length
    ? { ok: false, problems }
    : { ok: true, groupTag, comment, ...(deviceName ? { deviceName } : {}) };
}

export function checkRejectionInputs(
  inputs: Record<string, unknown>,
): { ok: true; reason: string } | { ok: false; problems: InputProblem[] } {
  const reason = text(inputs.reason);
  if (!reason)
    return { ok: false, problems: [{ input: 'reason', message: 'Say why the request is rejected.' }] };
  if (reason.length > 500)
    return { ok: false, problems: [{ input: 'reason', message: 'Keep the reason to 500 characters.' }] };
  if (HIDDEN.test(reason))
    return {
      ok: false,
      problems: [{ input: 'reason', message: 'Remove control or formatting characters.' }],
    };
  return { ok: true, reason };
}
