/**
 * import: uploads the identities with one import action for the whole group (device by device when Intune refuses
 * the group). The upload is never sent twice for
 * a device: the HTTP layer does not retry it, and a job that may have uploaded before (a retry of this step, or a
 * worker that died inside it) first looks its serial up among the upload records. An earlier upload still going
 * or done is reused; records of failed earlier uploads are deleted before uploading again.
 */
import type { ImportJob } from '../../domain/job.js';
import type { ImportedIdentity, ItemResult } from '../../graph/autopilot-graph.js';
import { attemptsOf, graphFailure } from '../failure-policy.js';
import { outcomesFor, type StepContext, type StepHandler } from '../step-context.js';
import type { StepOutcome } from '../step-outcome.js';

const HASH_UNAVAILABLE: StepOutcome = {
  kind: 'fail',
  error: {
    step: 'import',
    code: 'HashUnavailable',
    name: 'HashUnavailable',
    advice: 'The hardware hash is no longer stored. Submit the device again.',
    retryable: false,
  },
};

const NO_RECORD: StepOutcome = {
  kind: 'fail',
  error: {
    step: 'import',
    code: 'NoImportRecord',
    name: 'NoImportRecord',
    advice: 'Graph accepted the upload but returned no record for this device. Retry.',
    retryable: true,
  },
};

const mayHaveUploaded = (job: ImportJob, ctx: StepContext) =>
  attemptsOf(job, 'import') > 1 || ctx.resumed.has(job.id);

/** Earlier uploads of the jobs that may have made one: the usable record by serial, and failed ones to delete. */
async function earlierUploads(jobs: readonly ImportJob[], ctx: StepContext) {
  const serials = jobs.filter((j) => mayHaveUploaded(j, ctx)).map((j) => j.device.serialNumber);
  const found = serials.length
    ? await ctx.graph.findImportedIdentitiesBySerial(serials)
    : new Map<string, ItemResult<ImportedIdentity[]>>();
  const reusable = new Map<string, ImportedIdentity>();
  const stale: string[] = [];
  for (const [serial, result] of found) {
    if (!result.ok) continue;
    for (const record of result.value) {
      if (record.status === 'error') stale.push(record.id);
      else reusable.set(serial, record);
    }
  }
  return { found, reusable, stale };
}

export const importDevice: StepHandler = async (jobs, ctx) => {
  const { found, reusable, stale } = await earlierUploads(jobs, ctx);
  if (stale.length) await ctx.graph.deleteImportedIdentities(stale);
  // A job whose look-up failed must not upload: it may have uploaded already. It retries instead.
  const lookupFailed = (job: ImportJob) => found.get(job.device.serialNumber)?.ok === false;
  const toUpload = jobs.filter(
    (j) => !reusable.has(j.device.serialNumber) && !lookupFailed(j) && j.hardwareHash !== null,
  );
  const uploaded = toUpload.length
    ? await ctx.graph.importDevices(
        toUpload.map((j) => ({
          serialNumber: j.device.serialNumber,
          hardwareHash: j.hardwareHash ?? '',
          groupTag: j.approval?.groupTag ?? null,
          ...(j.device.productKey ? { productKey: j.device.productKey } : {}),
          ...(j.device.assignedUser ? { assignedUser: j.device.assignedUser } : {}),
        })),
      )
    : new Map<string, ItemResult<ImportedIdentity>>();

  return outcomesFor(jobs, (job: ImportJob): StepOutcome => {
    const lookup = found.get(job.device.serialNumber);
    if (lookup && !lookup.ok) return graphFailure(job, 'import', lookup.error, ctx);
    const earlier = reusable.get(job.device.serialNumber);
    if (earlier)
      return {
        kind: 'done',
        graph: { importedIdentityId: earlier.id },
        note: 'Found the upload of an earlier attempt',
      };
    if (job.hardwareHash === null) return HASH_UNAVAILABLE;
    const upload = uploaded.get(job.device.serialNumber);
    if (!upload) return NO_RECORD;
    // A lost answer (timeout, 504, dropped connection) is retryable: the retry looks the serial up first.
    if (!upload.ok) return graphFailure(job, 'import', upload.error, ctx);
    return { kind: 'done', graph: { importedIdentityId: upload.value.id }, note: 'Uploaded' };
  });
};
