/**
 * The Graph application permissions the service needs, what for, and one harmless read that shows each works.
 * From the "Permissions" tables of the Graph API reference (Intune enrollment pages, group "Add members" and
 * "Get", device "List", user "checkMemberGroups"). README's permission table says the same.
 */
import type { StepName } from '../domain/job.js';

export interface PermissionNeed {
  /** The exact name to grant (Entra admin center → API permissions → Microsoft Graph → Application). */
  name: string;
  neededFor: string;
  /** Needed only with this setting. */
  setting?: 'PROFILE_GROUP_ID' | 'APPROVER_GROUP_IDS';
  /** Broader permissions that include this one (a token holding one of them is fine too). */
  includedIn: readonly string[];
}

export const PERMISSION_NEEDS: readonly PermissionNeed[] = [
  {
    name: 'DeviceManagementServiceConfig.ReadWrite.All',
    neededFor: 'import, read, update and delete Autopilot devices; request an Autopilot sync',
    includedIn: [],
  },
  {
    name: 'DeviceManagementManagedDevices.ReadWrite.All',
    neededFor: 'delete the Intune device of an enrolled device when deregistering or replacing it',
    includedIn: [],
  },
  {
    name: 'Device.Read.All',
    neededFor: 'find the Entra device object of an imported device',
    includedIn: ['Device.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  },
  {
    name: 'GroupMember.ReadWrite.All',
    neededFor: 'add the device to the profile group',
    setting: 'PROFILE_GROUP_ID',
    includedIn: ['Group.ReadWrite.All', 'Directory.ReadWrite.All'],
  },
  {
    name: 'Device.ReadWrite.All',
    neededFor: 'add a device (as a member) to the profile group',
    setting: 'PROFILE_GROUP_ID',
    includedIn: ['Directory.ReadWrite.All'],
  },
  {
    name: 'GroupMember.Read.All',
    neededFor: 'check that a person clicking Approve is in an approver group',
    setting: 'APPROVER_GROUP_IDS',
    includedIn: [
      'Group.Read.All',
      'GroupMember.ReadWrite.All',
      'Group.ReadWrite.All',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
    ],
  },
  {
    name: 'User.Read.All',
    neededFor: "check an approver's group membership (checkMemberGroups on a user)",
    setting: 'APPROVER_GROUP_IDS',
    includedIn: ['User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  },
];

/** What each pipeline step calls needs; a 403 in the step names these. */
export const STEP_PERMISSIONS: Record<StepName, readonly string[]> = {
  'check-registration': ['DeviceManagementServiceConfig.ReadWrite.All'],
  import: ['DeviceManagementServiceConfig.ReadWrite.All'],
  'await-import': ['DeviceManagementServiceConfig.ReadWrite.All'],
  'cleanup-import': ['DeviceManagementServiceConfig.ReadWrite.All'],
  'await-autopilot-device': ['DeviceManagementServiceConfig.ReadWrite.All'],
  'set-device-name': ['DeviceManagementServiceConfig.ReadWrite.All'],
  'await-entra-device': ['Device.Read.All'],
  'add-to-group': ['GroupMember.ReadWrite.All', 'Device.ReadWrite.All'],
  'assign-user': ['DeviceManagementServiceConfig.ReadWrite.All'],
  'await-profile': ['DeviceManagementServiceConfig.ReadWrite.All'],
  'check-device': ['DeviceManagementServiceConfig.ReadWrite.All'],
  'apply-change': ['DeviceManagementServiceConfig.ReadWrite.All'],
  'verify-change': ['DeviceManagementServiceConfig.ReadWrite.All'],
  // Only deregistration deletes the Intune device (the reference sheet, permissions).
  'delete-managed-device': ['DeviceManagementManagedDevices.ReadWrite.All'],
  'unassign-user': ['DeviceManagementServiceConfig.ReadWrite.All'],
  'delete-autopilot-record': ['DeviceManagementServiceConfig.ReadWrite.All'],
  'await-removal': ['DeviceManagementServiceConfig.ReadWrite.All'],
  'check-identifier': ['DeviceManagementServiceConfig.ReadWrite.All'],
  'import-identifier': ['DeviceManagementServiceConfig.ReadWrite.All'],
};

export function neededPermissions(settings: {
  profileGroupId?: string;
  approverGroupIds: readonly string[];
}): PermissionNeed[] {
  return PERMISSION_NEEDS.filter(
    (p) =>
      p.setting === undefined ||
      (p.setting === 'PROFILE_GROUP_ID' && !!settings.profileGroupId) ||
      (p.setting === 'APPROVER_GROUP_IDS' && settings.approverGroupIds.length > 0),
  );
}
