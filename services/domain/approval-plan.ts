/**
 * What an approver decides for a device already registered (the approval card's Update it / Replace it): the
 * job turns into a change of the existing record, or a replace (deregister it, then import the new hash). Pure.
 * A plan fits only a single registration whose card showed the record, and acts on that very record.
 */
import { DomainError } from './errors.js';
import { describeChange, kindOf, stepsOf } from './job-kinds.js';
import type { DeviceChange, ImportJob } from './job.js';

export type ApprovalPlan =
  { kind: 'change'; change: DeviceChange } | { kind: 'replace'; enrolledConfirmed: boolean };

/** The plan's name as the card's verbs say it (kept on a first of two approvals). */
export type PlanName = 'update' | 'replace';

export function planName(plan: ApprovalPlan | undefined): PlanName | undefined {
  if (!plan) return undefined;
  return plan.kind === 'change' ? 'update' : 'replace';
}

export function planProblem(job: ImportJob, plan: ApprovalPlan | undefined): DomainError | undefined {
  if (!plan) return undefined;
  const record = job.graph.record;
  if (kindOf(job) !== 'register' || !record || job.batchId)
    return new DomainError(
      'plan_not_applicable',
      'Update it and Replace it are for a single device that is already registered.',
    );
  // Replacing the record of a device enrolled in Intune deletes its Intune device: the approver must say so.
  if (plan.kind === 'replace' && record.managedDeviceId && !plan.enrolledConfirmed)
    return new DomainError(
      'confirm_enrolled',
      'The registered device is enrolled in Intune: replacing it deletes its Intune device. Tick the box to confirm, then Replace it.',
    );
  return undefined;
}

/** The job with the kind the approver chose, pinned to the record its card showed (check-device holds to it). */
export function planned(job: ImportJob, plan: ApprovalPlan | undefined): ImportJob {
  const record = job.graph.record;
  if (!plan || !record) return job;
  const graph = { ...job.graph, autopilotDeviceId: record.id };
  if (plan.kind === 'change')
    return { ...job, kind: 'change', steps: stepsOf('change'), change: plan.change, graph };
  return {
    ...job,
    kind: 'replace',
    steps: stepsOf('replace'),
    graph,
    ...(plan.enrolledConfirmed ? { enrolledConfirmed: true } : {}),
  };
}

/** The audit's words for the plan. */
export function planText(plan: ApprovalPlan | undefined, groupTag: string | null): string | undefined {
  if (!plan) return undefined;
  return plan.kind === 'replace'
    ? `replace the registered record, then import (${groupTag ?? '(no tag)'})`
    : `update the registered record: ${describeChange(plan.change)}`;
}
