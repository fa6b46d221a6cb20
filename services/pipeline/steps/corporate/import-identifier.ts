/**
 * import-identifier: importDeviceIdentityList for every job in hand in one call, never overwriting. A job whose
 * identifier check-identifier found is done without a call; one resumed after a crash or tried again searches
 * first, so that an import whose answer was lost is not sent twice.
 */
import { corporateIdentifierOf } from '../../../domain/job-kinds.js';
import type { ImportJob, JobError } from '../../../domain/job.js';
import type { ItemResult } from '../../../graph/autopilot-graph.js';
import { attemptsOf, graphFailure } from '../../failure-policy.js';
import { outcomesFor, type StepHandler } from '../../step-context.js';

const refused = (job: ImportJob): JobError => ({
  step: 'import-identifier',
  code: 'Refused',
  name: 'IdentifierNotAccepted',
  advice: `Intune did not accept ${corporateIdentifierOf(job.device)}. Check the manufacturer and model as the device reports them, then submit it again.`,
  retryable: false,
});

export const importIdentifier: StepHandler = async (jobs, ctx) => {
  const open = jobs.filter((j) => !j.graph.corporateIdentifierId);
  // Searched first when an earlier attempt may have imported: resumed after a crash, or retried.
  const resumed = open.filter((j) => ctx.resumed.has(j.id) || attemptsOf(j, 'import-identifier') > 1);
  const found = resumed.length
    ? await ctx.graph.searchCorporateIdentifiers(resumed.map((j) => corporateIdentifierOf(j.device)))
    : new Map<string, ItemResult<string | null>>();
  const known = (job: ImportJob) => {
    const result = found.get(corporateIdentifierOf(job.device));
    return result?.ok ? result.value : null;
  };
  // A resumed job whose search failed does not import: it may have imported already. It retries instead.
  const unsure = (job: ImportJob) => found.get(corporateIdentifierOf(job.device))?.ok === false;
  const toImport = open.filter((j) => !known(j) && !unsure(j));
  const imported = toImport.length
    ? await ctx.graph.importCorporateIdentifiers(toImport.map((j) => corporateIdentifierOf(j.device)))
    : new Map<string, ItemResult<{ id: string; accepted: boolean } | null>>();
  return outcomesFor(jobs, (job) => {
    if (job.graph.corporateIdentifierId) return { kind: 'skipped', note: 'Already in Intune' };
    const search = found.get(corporateIdentifierOf(job.device));
    if (search?.ok === false) return graphFailure(job, 'import-identifier', search.error, ctx);
    const already = known(job);
    if (already) return { kind: 'done', graph: { corporateIdentifierId: already }, note: 'Imported' };
    const result = imported.get(corporateIdentifierOf(job.device));
    if (!result?.ok) return graphFailure(job, 'import-identifier', result?.error, ctx);
    if (!result.value?.accepted) return { kind: 'fail', error: refused(job) };
    return { kind: 'done', graph: { corporateIdentifierId: result.value.id }, note: 'Imported' };
  });
};
