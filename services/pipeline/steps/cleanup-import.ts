/**
 * cleanup-import: the upload record is removed; one already gone is fine. Most were removed by the delete begun
 * when their import was confirmed (upload-cleanup.ts): this step takes that answer, waits a little for one still
 * under way, and deletes the rest itself.
 */
import type { ImportJob } from '../../domain/job.js';
import type { ItemResult } from '../../graph/autopilot-graph.js';
import { graphFailure } from '../failure-policy.js';
import { outcomesFor, type StepHandler } from '../step-context.js';
import type { StepOutcome } from '../step-outcome.js';
import type { UploadCleanup } from '../upload-cleanup.js';

const REMOVED: StepOutcome = { kind: 'done', note: 'Upload record removed' };

/** The outcome when nothing is to be deleted: no record was made, or its early delete succeeded (taken here). */
export function removedWithoutGraph(
  job: ImportJob,
  uploads: UploadCleanup | undefined,
): StepOutcome | undefined {
  const id = job.graph.importedIdentityId;
  return !id || uploads?.takeRemoved(id) ? REMOVED : undefined;
}

export const cleanupImport: StepHandler = async (jobs, ctx) => {
  const ids = jobs.map((j) => j.graph.importedIdentityId).filter((id): id is string => !!id);
  const early = ctx.uploads?.take(ids) ?? { removed: new Set<string>(), underWay: new Set<string>() };
  const left = ids.filter((id) => !early.removed.has(id) && !early.underWay.has(id));
  const results = left.length
    ? await ctx.graph.deleteImportedIdentities(left)
    : new Map<string, ItemResult<void>>();
  const lookAgain = new Date(ctx.now.getTime() + ctx.settings.pollMinMs);
  return outcomesFor(jobs, (job) => {
    const id = job.graph.importedIdentityId;
    if (id && early.underWay.has(id)) return { kind: 'wait', until: lookAgain };
    const result = id ? results.get(id) : undefined;
    if (result && !result.ok) return graphFailure(job, 'cleanup-import', result.error, ctx);
    return REMOVED;
  });
};
