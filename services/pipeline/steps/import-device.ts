/**
 * import: uploads the identities with one import action for the whole group (device by device when Intune refuses
 * the group). The HTTP layer never sends an upload twice. A job that may have uploaded before (a retry of this
 * step, an approver's retry, or a worker that died inside it) first looks for what that upload left:
 * - an upload record for its serial and its hash: it is this device's upload, still running or finished (a
 *   permanent import error is then reported as it is); only one that ended in a retryable error (StorageError) is
 *   deleted and uploaded again;
 * - without such a record, the Autopilot device itself (the import went through and its record was removed):
 *   nothing is uploaded, the job goes on with that device.
 * Records of the serial with another hash belong to someone else's upload and are left alone.
 */
import { notReplaced } from '../../domain/job-kinds.js';
import type { ImportJob } from '../../domain/job.js';
import type { AutopilotDevice, ImportedIdentity, ItemResult } from '../../graph/autopilot-graph.js';
import { describeImportError } from '../../graph/import-errors.js';
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

function mayHaveUploaded(job: ImportJob, ctx: StepContext): boolean {
  return (
    attemptsOf(job, 'import') > 1 || ctx.resumed.has(job.id) || job.audit.some((a) => a.action === 'retried')
  );
}

const retryableError = (r: ImportedIdentity) =>
  r.status === 'error' && describeImportError(r.errorCode, r.errorName).retryable;

/** What an earlier attempt of these jobs left: their Autopilot devices and their upload records, by serial. */
async function lookEarlier(jobs: readonly ImportJob[], ctx: StepContext) {
  const serials = jobs.map((j) => j.device.serialNumber);
  if (!serials.length)
    return {
      devices: new Map<string, ItemResult<AutopilotDevice[]>>(),
      uploads: new Map<string, ItemResult<ImportedIdentity[]>>(),
    };
  const [devices, uploads] = await Promise.all([
    ctx.graph.findAutopilotDevicesBySerial(serials),
    ctx.graph.findImportedIdentitiesBySerial(serials),
  ]);
  return { devices, uploads };
}

type Found =
  | { kind: 'lookup_failed'; outcome: StepOutcome }
  | { kind: 'registered'; device: AutopilotDevice; leftovers: string[] }
  | { kind: 'upload'; record: ImportedIdentity }
  | { kind: 'nothing'; stale: string[] };

/** This job's share of what the look-up found. Pure. */
function foundFor(
  job: ImportJob,
  earlier: Awaited<ReturnType<typeof lookEarlier>>,
  ctx: StepContext,
): Found | undefined {
  const devices = earlier.devices.get(job.device.serialNumber);
  const uploads = earlier.uploads.get(job.device.serialNumber);
  if (!devices || !uploads) return undefined;
  // A job whose look-up failed must not upload: it may have uploaded already. It retries instead.
  if (!devices.ok) return { kind: 'lookup_failed', outcome: graphFailure(job, 'import', devices.error, ctx) };
  if (!uploads.ok) return { kind: 'lookup_failed', outcome: graphFailure(job, 'import', uploads.error, ctx) };
  const mine = uploads.value.filter(
    (r) => r.hashFingerprint === undefined || r.hashFingerprint === job.hashFingerprint,
  );
  // This device's upload, still there: the job goes on from it as from its own (its wait, its clean-up).
  const usable = mine.find((r) => !retryableError(r));
  if (usable) return { kind: 'upload', record: usable };
  // No usable upload, but the device is registered (its record was removed): go on with the device.
  const device = notReplaced(job, devices.value)[0];
  if (device) return { kind: 'registered', device, leftovers: mine.map((r) => r.id) };
  return { kind: 'nothing', stale: mine.map((r) => r.id) };
}

export const importDevice: StepHandler = async (jobs, ctx) => {
  const earlier = await lookEarlier(
    jobs.filter((j) => mayHaveUploaded(j, ctx)),
    ctx,
  );
  const found = new Map(jobs.map((j) => [j.id, foundFor(j, earlier, ctx)]));
  const stale = [...found.values()].flatMap((f) =>
    f?.kind === 'nothing' ? f.stale : f?.kind === 'registered' ? f.leftovers : [],
  );
  if (stale.length) await ctx.graph.deleteImportedIdentities(stale);
  const toUpload = jobs.filter((j) => {
    const kind = found.get(j.id)?.kind;
    return (kind === undefined || kind === 'nothing') && j.hardwareHash !== null;
  });
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
    const earlierResult = found.get(job.id);
    if (earlierResult?.kind === 'lookup_failed') return earlierResult.outcome;
    if (earlierResult?.kind === 'registered') {
      const { device } = earlierResult;
      return {
        kind: 'done',
        graph: {
          autopilotDeviceId: device.id,
          ...(device.entraDeviceId ? { entraDeviceId: device.entraDeviceId } : {}),
        },
        note: 'Registered by an earlier attempt',
      };
    }
    if (earlierResult?.kind === 'upload')
      return {
        kind: 'done',
        graph: { importedIdentityId: earlierResult.record.id },
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
