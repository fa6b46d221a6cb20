/**
 * import: uploads the identities with one import action for the whole group. Checks first: an upload record for
 * the serial left by an earlier attempt (a crash after the upload, before its id was saved) is reused, so a
 * device is never uploaded twice. Records of failed earlier uploads are deleted before uploading again.
 */
import type { ImportJob } from '../../domain/job.js';
import type { ImportedIdentity } from '../../graph/autopilot-graph.js';
import { outcomesFor, type StepHandler } from '../step-context.js';
import type { StepOutcome } from '../step-outcome.js';

export const importDevice: StepHandler = async (jobs, ctx) => {
  const serials = new Set(jobs.map((j) => j.device.serialNumber));
  const records = (await ctx.graph.listImportedIdentities()).filter((r) => serials.has(r.serialNumber));
  const reusable = new Map<string, ImportedIdentity>();
  for (const r of records) if (r.status !== 'error') reusable.set(r.serialNumber, r);
  const stale = records.filter((r) => r.status === 'error').map((r) => r.id);
  if (stale.length) await ctx.graph.deleteImportedIdentities(stale);

  const toUpload = jobs.filter((j) => !reusable.has(j.device.serialNumber) && j.hardwareHash !== null);
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
    : new Map<string, ImportedIdentity>();

  return outcomesFor(jobs, (job: ImportJob): StepOutcome => {
    const earlier = reusable.get(job.device.serialNumber);
    if (earlier)
      return {
        kind: 'done',
        graph: { importedIdentityId: earlier.id },
        note: 'Found the upload of an earlier attempt',
      };
    if (job.hardwareHash === null) {
      return {
        kind: 'fail',
        error: {
          step: 'import',
          code: 'HashUnavailable',
          name: 'HashUnavailable',
          advice: 'The hardware hash is no longer stored. Submit the device again.',
          retryable: false,
        },
      };
    }
    const record = uploaded.get(job.device.serialNumber);
    if (!record) {
      return {
        kind: 'fail',
        error: {
          step: 'import',
          code: 'NoImportRecord',
          name: 'NoImportRecord',
          advice: 'Graph accepted the upload but returned no record for this device. Retry.',
          retryable: true,
        },
      };
    }
    return { kind: 'done', graph: { importedIdentityId: record.id }, note: 'Uploaded' };
  });
};
