/**
 * The policy at intake, as a pure change to a new job: the matching rule's verdict is kept on the job and in its
 * audit, and an `approve` verdict approves the job as the rule (unless it is a dry run, or the device is off the
 * allow-list, which always needs a person).
 */
import type { ImportJob, PolicyVerdict } from '../domain/job.js';
import { approve } from '../domain/transitions.js';
import { nameFromTemplate } from '../domain/device-name.js';
import {
  describeVerdict,
  evaluatePolicy,
  ruleActor,
  type ApprovalPolicy,
  type SubmissionKind,
} from './policy.js';

export function applyPolicyAtIntake(
  job: ImportJob,
  policy: ApprovalPolicy | undefined,
  submission: SubmissionKind,
  now: Date,
  deviceNameTemplate?: string,
): ImportJob {
  if (!policy) return job;
  const found = evaluatePolicy(policy, {
    source: job.submittedBy.via,
    manufacturer: job.device.manufacturer,
    model: job.device.model,
    serialNumber: job.device.serialNumber,
    tag: job.device.requestedGroupTag ?? null,
    submission,
    kind: job.kind === 'corporateIdentifier' ? 'corporateIdentifier' : 'hash',
  });
  if (!found) return job;
  const blocked =
    found.then === 'approve' && !found.dryRun && job.flags.includes('not_on_allow_list')
      ? 'the device is not on the allow-list, so an approver decides'
      : undefined;
  const verdict: PolicyVerdict = blocked ? { ...found, note: blocked } : found;
  const actor = ruleActor(verdict.rule);
  const withVerdict: ImportJob = {
    ...job,
    policy: verdict,
    audit: [
      ...job.audit,
      { at: now.toISOString(), action: 'policy', by: actor, detail: describeVerdict(verdict) },
    ],
  };
  if (verdict.then !== 'approve' || verdict.dryRun || blocked) return withVerdict;
  const approved = approve(withVerdict, {
    by: actor,
    at: now,
    groupTag: verdict.groupTag ?? null,
    comment: verdict.ticket ?? `Approved by rule ${verdict.rule}`,
    ...(deviceNameTemplate
      ? { deviceName: nameFromTemplate(deviceNameTemplate, job.device.serialNumber) }
      : {}),
  });
  if (approved.ok) return approved.value;
  // Not expected for a new job; if it happens, the card says so rather than claim an approval.
  return { ...withVerdict, policy: { ...verdict, note: approved.error.message } };
}
