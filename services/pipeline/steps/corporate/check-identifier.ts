/**
 * check-identifier: is the corporate identifier in Intune already (then nothing is imported), and is the serial
 * registered for classic Autopilot? A device registered for classic Autopilot gets its classic profile unless it is
 * associated with the tenant for device preparation (Microsoft's device preparation overview): the card says so,
 * and that the record must be deregistered to use device preparation. Both answers come from one call each for
 * every job in hand.
 */
import { corporateIdentifierOf } from '../../../domain/job-kinds.js';
import { graphFailure } from '../../failure-policy.js';
import { outcomesFor, type StepHandler } from '../../step-context.js';

export const checkIdentifier: StepHandler = async (jobs, ctx) => {
  const identifiers = jobs.map((j) => corporateIdentifierOf(j.device));
  const [existing, classic] = await Promise.all([
    ctx.graph.searchCorporateIdentifiers(identifiers),
    ctx.graph.findAutopilotDevicesBySerial(jobs.map((j) => j.device.serialNumber)),
  ]);
  return outcomesFor(jobs, (job) => {
    const found = existing.get(corporateIdentifierOf(job.device));
    if (!found?.ok) return graphFailure(job, 'check-identifier', found?.error, ctx);
    const registered = classic.get(job.device.serialNumber);
    const record = registered?.ok ? registered.value[0] : undefined;
    const warning = !registered?.ok
      ? `Intune could not be asked whether this serial is registered for classic Autopilot (a classic profile would win over device preparation): look it up (lookup ${job.device.serialNumber}).`
      : record
        ? `This serial is registered for classic Autopilot${record.groupTag ? ` (tag ${record.groupTag})` : ''}: its classic profile wins unless the device is associated for device preparation. Deregister it (lookup ${job.device.serialNumber}) to use device preparation.`
        : undefined;
    return {
      kind: 'done',
      note: found.value ? 'Already in Intune' : 'Not in Intune yet',
      ...(found.value ? { graph: { corporateIdentifierId: found.value } } : {}),
      ...(warning ? { warning } : {}),
    };
  });
};
