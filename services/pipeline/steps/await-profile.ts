/**
 * await-profile: waits until the deployment profile is assigned; `failed` is surfaced at once. Graph answers
 * one device per request, so a group asks its probes first and the others only when the probes say it is worth
 * it (see probes.ts).
 */
import type { ImportJob } from '../../domain/job.js';
import type { AutopilotDevice, ItemResult } from '../../graph/autopilot-graph.js';
import { graphFailure } from '../failure-policy.js';
import { nearDeadline } from '../polling.js';
import { afterProbes, chooseProbes } from '../probes.js';
import { notYet, outcomesFor, type StepContext, type StepHandler } from '../step-context.js';
import type { StepOutcome } from '../step-outcome.js';

type Answer = ItemResult<AutopilotDevice | null>;

const idOf = (job: ImportJob) => job.graph.autopilotDeviceId ?? '';
const waiting = (answer: Answer | undefined) => {
  const status = answer?.ok ? (answer.value?.profileStatus ?? 'unknown') : undefined;
  return status !== undefined && !status.startsWith('assigned') && status !== 'failed';
};

export const awaitProfile: StepHandler = async (jobs, ctx) => {
  const { ordered, probes } = chooseProbes(jobs, 'await-profile');
  const answers = await ctx.graph.getAutopilotDevices(probes.map(idOf));
  const rest = afterProbes(
    ordered,
    probes,
    (probe) => !waiting(answers.get(idOf(probe))),
    (job) => nearDeadline(job, 'await-profile', ctx.now, ctx.settings),
  );
  if (rest.length)
    for (const [id, answer] of await ctx.graph.getAutopilotDevices(rest.map(idOf))) answers.set(id, answer);
  return outcomesFor(jobs, (job) => decide(job, answers.get(idOf(job)), ctx));
};

function decide(job: ImportJob, answer: Answer | undefined, ctx: StepContext): StepOutcome {
  // Not asked this round: its probes say that it is still waiting.
  if (!answer) return notYet(job, 'await-profile', ctx);
  if (!answer.ok) return graphFailure(job, 'await-profile', answer.error, ctx);
  const status = answer.value?.profileStatus ?? 'unknown';
  if (status.startsWith('assigned'))
    return { kind: 'done', graph: { profileStatus: status }, note: 'Profile assigned' };
  if (status === 'failed') {
    return {
      kind: 'fail',
      error: {
        step: 'await-profile',
        code: 'ProfileFailed',
        name: 'ProfileAssignmentFailed',
        advice:
          'Intune reports that the deployment profile assignment failed. Check the profile and its group assignment in Intune, then retry.',
        retryable: true,
      },
    };
  }
  return notYet(job, 'await-profile', ctx);
}
