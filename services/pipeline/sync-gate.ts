/**
 * Asks Intune to sync Autopilot devices at most once per interval per tenant, across every instance: the slot
 * is taken in the store before Graph is called.
 */
import type { AutopilotGraph } from '../graph/autopilot-graph.js';
import type { Logger } from '../logging/logger.js';
import type { JobStore } from '../store/job-store.js';

export interface SyncGate {
  requestSync(now: Date): Promise<'requested' | 'skipped'>;
}

export function createSyncGate(deps: {
  store: JobStore;
  graph: AutopilotGraph;
  tenantKey: string;
  intervalMs: number;
  logger: Logger;
}): SyncGate {
  return {
    async requestSync(now) {
      if (!(await deps.store.tryAcquireTimedSlot(`sync:${deps.tenantKey}`, now, deps.intervalMs)))
        return 'skipped';
      try {
        const result = await deps.graph.requestSync();
        deps.logger.info({ result }, 'Autopilot sync requested');
      } catch (error) {
        // A failed sync only means devices appear at Intune's own pace; the wait goes on.
        deps.logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'Autopilot sync request failed',
        );
      }
      return 'requested';
    },
  };
}
