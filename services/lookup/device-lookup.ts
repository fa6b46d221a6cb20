/**
 * `lookup <serial>`: the device's live Autopilot record(s), found by the exact serial (the search's contains()
 * answers are compared exactly: services/graph/serial-search.ts), and this service's latest request for it.
 */
import type { ImportJob } from '../domain/job.js';
import { describeError } from '../errors.js';
import type { AutopilotDevice, AutopilotGraph, ItemResult } from '../graph/autopilot-graph.js';
import type { JobStore } from '../store/job-store.js';

export type DeviceLookup =
  | { kind: 'found'; serialNumber: string; records: AutopilotDevice[]; latestJob?: ImportJob }
  | { kind: 'unavailable'; serialNumber: string; reason: string; latestJob?: ImportJob };

export async function lookupDevice(
  graph: Pick<AutopilotGraph, 'findAutopilotDevicesBySerial'>,
  store: JobStore,
  serialNumber: string,
): Promise<DeviceLookup> {
  const [found, jobs] = await Promise.all([
    graph
      .findAutopilotDevicesBySerial([serialNumber])
      .catch((error: unknown): { failed: unknown } => ({ failed: error })),
    store.list({ serialNumber, limit: 1, omitHash: true }),
  ]);
  const latestJob = jobs.items[0];
  const withJob = latestJob ? { latestJob } : {};
  if (!(found instanceof Map)) {
    const { code, message } = describeError(found.failed);
    return { kind: 'unavailable', serialNumber, reason: `${code}: ${message}`, ...withJob };
  }
  const result: ItemResult<AutopilotDevice[]> | undefined = found.get(serialNumber);
  if (!result) return { kind: 'unavailable', serialNumber, reason: 'Graph gave no answer', ...withJob };
  if (!result.ok)
    return {
      kind: 'unavailable',
      serialNumber,
      reason: `${result.error.code} ${result.error.message}`.slice(0, 200),
      ...withJob,
    };
  return { kind: 'found', serialNumber, records: result.value, ...withJob };
}
