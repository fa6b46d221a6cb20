/**
 * await-import: reads each waiting job's upload record by id (not the tenant's whole list, which holds every
 * other tool's records too). Imports that started together finish together, so probes are asked first and the
 * rest only when the probes say it is worth it (see probes.ts). `complete` goes on; an import error fails with
 * its code, name and advice (806 means the device is registered already; StorageError goes back to the upload);
 * anything else waits.
 */
import { notReplaced } from '../../domain/job-kinds.js';
import type { ImportJob } from '../../domain/job.js';
import type { ImportedIdentity, ItemResult } from '../../graph/autopilot-graph.js';
import { describeImportError } from '../../graph/import-errors.js';
import { failureOutcome, graphFailure } from '../failure-policy.js';
import { nearDeadline } from '../polling.js';
import { afterProbes, chooseProbes } from '../probes.js';
import { notYet, type StepContext, type StepHandler } from '../step-context.js';
import type { StepOutcome } from '../step-outcome.js';

type Answer = ItemResult<ImportedIdentity | null>;

const idOf = (job: ImportJob) => job.graph.importedIdentityId ?? '';
const stillRunning = (answer: Answer | undefined) =>
  answer?.ok === true &&
  answer.value !== null &&
  answer.value.status !== 'complete' &&
  answer.value.status !== 'error';

function decide(job: ImportJob, answer: Answer | undefined, ctx: StepContext): StepOutcome {
  // Not asked this round: its probes say that it is still running.
  if (!answer) return notYet(job, 'await-import', ctx);
  if (!answer.ok) return graphFailure(job, 'await-import', answer.error, ctx);
  const record = answer.value;
  if (!record) {
    const error = {
      step: 'await-import' as const,
      code: 'ImportRecordMissing',
      name: 'ImportRecordMissing',
      advice: 'The upload record disappeared before the import finished; it is uploaded again.',
      retryable: true,
    };
    return failureOutcome(job, error, { ...ctx, from: 'import' });
  }
  if (record.status === 'complete') {
    return {
      kind: 'done',
      graph: record.autopilotDeviceId ? { autopilotDeviceId: record.autopilotDeviceId } : {},
      note: 'Imported',
    };
  }
  if (record.status !== 'error') return notYet(job, 'await-import', ctx);
  const info = describeImportError(record.errorCode, record.errorName);
  const error = {
    step: 'await-import' as const,
    code: info.code,
    name: info.name,
    advice: info.advice,
    retryable: info.retryable,
  };
  return info.retryable ? failureOutcome(job, error, { ...ctx, from: 'import' }) : { kind: 'fail', error };
}

async function readRecords(jobs: readonly ImportJob[], ctx: StepContext): Promise<Map<string, Answer>> {
  const { ordered, probes } = chooseProbes(jobs, 'await-import');
  const answers = await ctx.graph.getImportedIdentities(probes.map(idOf));
  const rest = afterProbes(
    ordered,
    probes,
    (probe) => !stillRunning(answers.get(idOf(probe))),
    (job) => nearDeadline(job, 'await-import', ctx.now, ctx.settings),
  );
  if (rest.length)
    for (const [id, answer] of await ctx.graph.getImportedIdentities(rest.map(idOf))) answers.set(id, answer);
  return answers;
}

/**
 * An 806 whose device is not listed yet: wait for the listing; past the deadline fail with the 806 itself (its
 * advice, not a generic time-out), since Intune did say the device is registered.
 */
function waitForListing(job: ImportJob, refused: StepOutcome | undefined, ctx: StepContext): StepOutcome {
  const waiting = notYet(job, 'await-import', ctx);
  if (waiting.kind !== 'fail' || refused?.kind !== 'fail') return waiting;
  const advice = `${refused.error.advice} It was not listed among Autopilot devices within the wait; look it up in Intune.`;
  return { kind: 'fail', error: { ...refused.error, advice } };
}

/** The import step found the device registered by an earlier attempt: there is no upload record to wait for. */
const registeredEarlier = (job: ImportJob) => !job.graph.importedIdentityId && !!job.graph.autopilotDeviceId;

export const awaitImport: StepHandler = async (all, ctx) => {
  const jobs = all.filter((j) => !registeredEarlier(j));
  const answers = await readRecords(jobs, ctx);
  const recordOf = (job: ImportJob) => {
    const answer = answers.get(idOf(job));
    return answer?.ok ? (answer.value ?? undefined) : undefined;
  };
  const outcomes = new Map(jobs.map((job) => [job.id, decide(job, answers.get(idOf(job)), ctx)]));

  // 806: registered in this tenant already. Look the device up and finish as "already registered".
  const registered = jobs.filter((j) => recordOf(j)?.errorCode === 806);
  const notListedYet = new Set<string>();
  if (registered.length) {
    const found = await ctx.graph.findAutopilotDevicesBySerial(registered.map((j) => j.device.serialNumber));
    for (const job of registered) {
      const result = found.get(job.device.serialNumber);
      const device = result?.ok ? notReplaced(job, result.value)[0] : undefined;
      if (device) {
        outcomes.set(job.id, {
          kind: 'already_registered',
          graph: {
            autopilotDeviceId: device.id,
            entraDeviceId: device.entraDeviceId,
            existingGroupTag: device.groupTag || null,
          },
        });
      } else if (result?.ok) {
        // Intune answers 806 for a device another tool registered moments ago, before it is listed among
        // Autopilot devices (reference sheet, import errors): keep the record and look again until the deadline.
        const outcome = waitForListing(job, outcomes.get(job.id), ctx);
        if (outcome.kind === 'wait') notListedYet.add(job.id);
        outcomes.set(job.id, outcome);
      }
    }
  }
  // Upload records that ended in an error are of no further use: remove them (best effort).
  const failed = jobs
    .filter((j) => !notListedYet.has(j.id))
    .map(recordOf)
    .filter((r): r is ImportedIdentity => r?.status === 'error');
  if (failed.length) await ctx.graph.deleteImportedIdentities(failed.map((r) => r.id));
  for (const job of all.filter(registeredEarlier))
    outcomes.set(job.id, { kind: 'done', note: 'Registered by an earlier attempt' });
  return outcomes;
};
