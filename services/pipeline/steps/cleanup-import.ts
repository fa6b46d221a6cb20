/** cleanup-import: deletes the upload record; one already gone is fine. */
import type { ItemResult } from '../../graph/autopilot-graph.js';
import { graphFailure } from '../failure-policy.js';
import { outcomesFor, type StepHandler } from '../step-context.js';

export const cleanupImport: StepHandler = async (jobs, ctx) => {
  const ids = jobs.map((j) => j.graph.importedIdentityId).filter((id): id is string => !!id);
  const results = ids.length
    ? await ctx.graph.deleteImportedIdentities(ids)
    : new Map<string, ItemResult<void>>();
  return outcomesFor(jobs, (job) => {
    const result = job.graph.importedIdentityId ? results.get(job.graph.importedIdentityId) : undefined;
    if (result && !result.ok) return graphFailure(job, 'cleanup-import', result.error, ctx);
    return { kind: 'done', note: 'Upload record removed' };
  });
};
