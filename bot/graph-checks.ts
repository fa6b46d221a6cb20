/** What the service checks of Graph at start and on demand: the configured groups, and the doctor's checks. */
import type { Config } from '../services/config/config.js';
import { ConfigError } from '../services/config/config-error.js';
import { runDoctor, type DoctorReport } from '../services/graph/doctor.js';
import { checkGroups, startBlockers, type GroupSettings } from '../services/graph/group-checks.js';
import type { Logger } from '../services/logging/logger.js';
import type { GraphAccess } from './graph-access.js';

export function groupSettingsOf(config: Config): GroupSettings {
  return {
    ...(config.pipeline.profileGroupId ? { profileGroupId: config.pipeline.profileGroupId } : {}),
    approverGroupIds: config.approvals.approverGroupIds,
  };
}

/**
 * Fails the start, naming the setting, when a configured group does not exist or the profile group is dynamic.
 * A Graph that cannot be asked right now only warns: the jobs would wait and retry anyway.
 */
export async function checkConfiguredGroups(
  access: GraphAccess,
  config: Config,
  logger: Logger,
): Promise<void> {
  const checks = await checkGroups(access.graph, groupSettingsOf(config));
  const blockers = startBlockers(checks);
  if (blockers.length) throw new ConfigError(blockers);
  for (const check of checks.filter((c) => c.unchecked))
    logger.warn(
      { setting: check.setting, groupId: check.groupId, problem: check.problem },
      'configured group not checked',
    );
}

export function doctorFor(access: GraphAccess, config: Config): () => Promise<DoctorReport> {
  return () => runDoctor({ graph: access.graph, tokens: access.tokens, settings: groupSettingsOf(config) });
}
