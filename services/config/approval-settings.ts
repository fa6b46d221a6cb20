/** The approval settings: tags, tickets, approvers, the device name template and POLICY_FILE's rules. */
import { resolve } from 'node:path';
import { readPolicy } from '../policy/load-policy.js';
import type { ApprovalConfig } from './config.js';
import { ConfigError } from './config-error.js';
import type { EnvSettings } from './schema.js';

export function approvalConfig(s: EnvSettings): ApprovalConfig {
  const approvals: ApprovalConfig = {
    approverGroupIds: s.APPROVER_GROUP_IDS,
    approverIds: s.APPROVER_IDS,
    groupTags: s.GROUP_TAGS,
    ...(s.DEFAULT_GROUP_TAG ? { defaultGroupTag: s.DEFAULT_GROUP_TAG } : {}),
    allowNoTag: s.ALLOW_NO_TAG,
    ticketMaxLength: s.TICKET_MAX_LENGTH,
    ...(s.DEVICE_NAME_TEMPLATE ? { deviceNameTemplate: s.DEVICE_NAME_TEMPLATE } : {}),
    ...(s.TICKET_PATTERN
      ? {
          ticketPattern: {
            regex: new RegExp(s.TICKET_PATTERN),
            message: s.TICKET_PATTERN_MESSAGE ?? `must match ${s.TICKET_PATTERN}`,
          },
        }
      : {}),
  };
  if (!s.POLICY_FILE) return approvals;
  // The rules are checked against the tag and ticket settings above, as an approver's inputs are.
  const read = readPolicy(resolve(s.POLICY_FILE), s.POLICY_DRY_RUN, approvals);
  if ('problems' in read) throw new ConfigError(read.problems);
  return { ...approvals, policy: read.policy };
}
