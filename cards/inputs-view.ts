/** The approver's inputs (group tag, ticket, reason) as both the job card and the batch card show them. */
import { NO_TAG, type InputProblem } from '../services/approvals/decision-inputs.js';
import type { ApprovalConfig } from '../services/config/config.js';
import { escapeCardText as esc, plainText } from './escape.js';
import { CARD_INPUTS, CARD_VERBS } from './verbs.js';

export function inputsView(
  approvals: ApprovalConfig,
  problems: readonly InputProblem[] | undefined,
  requestedTag: string | undefined,
) {
  const problem = (input: InputProblem['input']) =>
    esc(problems?.find((p) => p.input === input)?.message ?? '');
  const tags = [
    ...approvals.groupTags.map((t) => ({ title: plainText(t), value: t })),
    ...(approvals.allowNoTag ? [{ title: 'No tag', value: NO_TAG }] : []),
  ];
  const offered = (tag: string) =>
    approvals.groupTags.includes(tag) || (tag === NO_TAG && approvals.allowNoTag);
  const suggested = requestedTag && offered(requestedTag) ? requestedTag : undefined;
  return {
    tagChoices: tags,
    defaultTag: suggested ?? approvals.defaultGroupTag ?? tags[0]?.value ?? '',
    ticketHint: approvals.ticketPattern
      ? plainText(approvals.ticketPattern.message)
      : 'e.g. INC0012345 new motherboard',
    ticketMaxLength: approvals.ticketMaxLength,
    groupTagProblem: problem('groupTag'),
    commentProblem: problem('comment'),
    reasonProblem: problem('reason'),
    deviceNameProblem: problem('deviceName'),
    userProblem: problem('user'),
    confirmProblem: problem('confirmEnrolled'),
    verbs: CARD_VERBS,
    inputs: CARD_INPUTS,
  };
}
