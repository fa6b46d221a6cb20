/**
 * await-import: one listing of the upload records serves every waiting job. `complete` goes on; an import
 * error fails with its code, name and advice (806 means the device is registered already; StorageError goes
 * back to the upload); anything else waits.
 */
import type { ImportJob } from '../../domain/job.js';
import type { ImportedIdentity } from '../../graph/autopilot-graph.js';
import { describeImportError } from '../../graph/import-errors.js';
import { failureOutcome } from '../failure-policy.js';
import { notYet, type StepContext, type StepHandler } from '../step-context.js';
import type { StepOutcome } from '../step-outcome.js';

function decide(job: ImportJob, record: ImportedIdentity | undefined, ctx: StepContext): StepOutcome {
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

export const awaitImport: StepHandler = async (jobs, ctx) => {
  const byId = new Map((await ctx.graph.listImportedIdentities()).map((r) => [r.id, r]));
  const outcomes = new Map(
    jobs.map((job) => [job.id, decide(job, byId.get(job.graph.importedIdentityId ?? ''), ctx)]),
  );

  // 806: registered in this tenant already. Look the device up and finish as "already registered".
  const registered = jobs.filter((j) => byId.get(j.graph.importedIdentityId ?? '')?.errorCode === 806);
  if (registered.length) {
    const found = await ctx.graph.findAutopilotDevicesBySerial(registered.map((j) => j.device.serialNumber));
    for (const job of registered) {
      const result = found.get(job.device.serialNumber);
      const device = result?.ok ? result.value[0] : undefined;
      if (device) {
        outcomes.set(job.id, {
          kind: 'already_registered',
          graph: {
            autopilotDeviceId: device.id,
            entraDeviceId: device.entraDeviceId,
            existingGroupTag: device.groupTag || null,
          },
        });
      }
    }
  }
  // Upload records that ended in an error are of no further use: remove them (best effort).
  const failed = [...byId.values()].filter(
    (r) => r.status === 'error' && jobs.some((j) => j.graph.importedIdentityId === r.id),
  );
  if (failed.length) await ctx.graph.deleteImportedIdentities(failed.map((r) => r.id));
  return outcomes;
};
