/**
 * The groups the configuration names, checked against the directory: a wrong id answers 404 on every add, which
 * would read as "not there yet" for an hour per job; a dynamic group refuses direct adds. Checked at start and by
 * the doctor (`GET /groups/{id}`).
 */
import type { ConfigProblem } from '../config/config-error.js';
import type { AutopilotGraph } from './autopilot-graph.js';

export interface GroupSettings {
  profileGroupId?: string;
  approverGroupIds: readonly string[];
}

export interface GroupCheck {
  setting: 'PROFILE_GROUP_ID' | 'APPROVER_GROUP_IDS';
  groupId: string;
  /** The group's name when found. */
  displayName?: string;
  problem?: string;
  /** Graph could not be asked (network, 5xx): neither good nor bad. */
  unchecked?: boolean;
}

export async function checkGroups(
  graph: Pick<AutopilotGraph, 'getGroups'>,
  settings: GroupSettings,
): Promise<GroupCheck[]> {
  const wanted = [
    ...(settings.profileGroupId
      ? [{ setting: 'PROFILE_GROUP_ID' as const, groupId: settings.profileGroupId }]
      : []),
    ...settings.approverGroupIds.map((groupId) => ({ setting: 'APPROVER_GROUP_IDS' as const, groupId })),
  ];
  if (wanted.length === 0) return [];
  let found: Awaited<ReturnType<AutopilotGraph['getGroups']>>;
  try {
    found = await graph.getGroups([...new Set(wanted.map((w) => w.groupId))]);
  } catch (error) {
    // Graph cannot be asked at all right now (network, token): every group is unchecked, none is wrong.
    const why = error instanceof Error ? error.message : String(error);
    return wanted.map((w) => ({ ...w, unchecked: true, problem: `could not be checked: ${why}` }));
  }
  return wanted.map((w): GroupCheck => {
    const result = found.get(w.groupId);
    if (!result?.ok) {
      const status = result?.error.status ?? 0;
      if (status === 403)
        return {
          ...w,
          problem: 'could not be read (403): grant the app GroupMember.Read.All (see npm run doctor)',
        };
      return {
        ...w,
        unchecked: true,
        problem: `could not be checked: ${result?.error.message ?? 'no answer'}`,
      };
    }
    if (!result.value)
      return { ...w, problem: `names no group in the directory (${w.groupId} does not exist)` };
    const named = { ...w, displayName: result.value.displayName };
    if (w.setting === 'PROFILE_GROUP_ID' && result.value.dynamic)
      return {
        ...named,
        problem: `is a dynamic group ("${result.value.displayName}"), which refuses direct adds: name an assigned group, or unset PROFILE_GROUP_ID and let the dynamic group pick devices up by tag`,
      };
    return named;
  });
}

/** The problems that must stop a start, as configuration problems naming their setting. */
export function startBlockers(checks: readonly GroupCheck[]): ConfigProblem[] {
  return checks
    .filter((c) => c.problem && !c.unchecked)
    .map((c) => ({ key: c.setting, problem: c.problem ?? '' }));
}
