/**
 * The inputs an approver types on the card, checked against the configuration. Problems are reported per input
 * so the card can show each message beside its field.
 */
import type { ApprovalConfig } from '../config/config.js';
import { deviceNameProblem } from '../domain/device-name.js';

export const NO_TAG = '__no_tag__';

export interface InputProblem {
  input: 'groupTag' | 'comment' | 'reason' | 'deviceName';
  message: string;
}

const HIDDEN = /[\p{Cc}\p{Cf}]/u;

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

export function checkApprovalInputs(
  inputs: Record<string, unknown>,
  config: ApprovalConfig,
):
  | { ok: true; groupTag: string | null; comment: string; deviceName?: string }
  | { ok: false; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const tag = text(inputs.groupTag);
  let groupTag: string | null = null;
  if (tag === NO_TAG || (tag === '' && config.groupTags.length === 0)) {
    if (!config.allowNoTag) problems.push({ input: 'groupTag', message: 'Choose a group tag.' });
  } else if (config.groupTags.includes(tag)) groupTag = tag;
  else
    problems.push({
      input: 'groupTag',
      message: tag ? `"${tag.slice(0, 64)}" is not one of the configured group tags.` : 'Choose a group tag.',
    });

  const comment = text(inputs.comment);
  if (!comment) problems.push({ input: 'comment', message: 'Enter the ticket or a comment.' });
  else if (comment.length > config.ticketMaxLength)
    problems.push({ input: 'comment', message: `Keep it to ${config.ticketMaxLength} characters.` });
  else if (HIDDEN.test(comment))
    problems.push({ input: 'comment', message: 'Remove control or formatting characters.' });
  else if (config.ticketPattern && !config.ticketPattern.regex.test(comment))
    problems.push({ input: 'comment', message: config.ticketPattern.message });
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
