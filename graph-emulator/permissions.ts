/**
 * Application permissions (app roles in the token's `roles` claim) and which ones each call accepts, from the
 * "Permissions" tables of the Graph API reference pages of each call (Intune enrollment pages for
 * windowsAutopilotDeviceIdentity and importedWindowsAutopilotDeviceIdentity; group "Add members"; device
 * "List"; directoryObject "checkMemberGroups"; group "Get").
 */

/** A call needs one role out of each inner list (the add of a device to a group needs two kinds). */
export type PermissionRule = readonly (readonly string[])[];

const SERVICE_CONFIG_READ = [
  'DeviceManagementServiceConfig.Read.All',
  'DeviceManagementServiceConfig.ReadWrite.All',
];
const SERVICE_CONFIG_WRITE = ['DeviceManagementServiceConfig.ReadWrite.All'];

export const PERMISSIONS = {
  intuneRead: [SERVICE_CONFIG_READ],
  intuneWrite: [SERVICE_CONFIG_WRITE],
  managedDeviceDelete: [['DeviceManagementManagedDevices.ReadWrite.All']],
  /** List managedDevices (intune-devices-manageddevice-list): either managed-devices permission. */
  managedDeviceRead: [
    ['DeviceManagementManagedDevices.Read.All', 'DeviceManagementManagedDevices.ReadWrite.All'],
  ],
  devicesRead: [['Device.Read.All', 'Device.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All']],
  groupRead: [
    [
      'GroupMember.Read.All',
      'Group.Read.All',
      'GroupMember.ReadWrite.All',
      'Group.ReadWrite.All',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
    ],
  ],
  /** Add members: a device as the member needs Device.ReadWrite.All besides the group permission. */
  groupAddDevice: [
    ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'],
    ['Device.ReadWrite.All', 'Directory.ReadWrite.All'],
  ],
  usersRead: [['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All']],
  /** checkMemberGroups on a user, application permissions: User.Read.All with a group read permission. */
  userCheckMemberGroups: [
    ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  ],
} satisfies Record<string, PermissionRule>;

/** What the emulator's test app is granted unless a scenario takes something away: what the product needs. */
export const DEFAULT_GRANTED_PERMISSIONS: readonly string[] = [
  'DeviceManagementServiceConfig.ReadWrite.All',
  'DeviceManagementManagedDevices.ReadWrite.All',
  'Device.Read.All',
  'Device.ReadWrite.All',
  'GroupMember.ReadWrite.All',
  'GroupMember.Read.All',
  'User.Read.All',
];

/** The first role set the token's roles do not satisfy, or undefined when the call is allowed. */
export function missingPermission(
  rule: PermissionRule,
  roles: readonly string[],
): readonly string[] | undefined {
  return rule.find((anyOf) => !anyOf.some((role) => roles.includes(role)));
}
