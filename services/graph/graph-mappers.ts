/** Graph's entities (typed by Microsoft's own graph-types packages) into the port's small shapes. Pure. */
import type * as Graph from '@microsoft/microsoft-graph-types';
import type * as GraphBeta from '@microsoft/microsoft-graph-types-beta';
import { hashFingerprint } from '../domain/fingerprint.js';
import type { AutopilotDevice, GroupInfo, ImportedIdentity } from './autopilot-graph.js';

export type RawImported = Graph.ImportedWindowsAutopilotDeviceIdentity & { id: string };
/** Read from beta, where the profile status and `azureAdDeviceId` live. */
export type RawAutopilot = GraphBeta.WindowsAutopilotDeviceIdentity & { id: string };
export type RawEntraDevice = Graph.Device & { id: string };
export type RawGroup = Graph.Group & { id: string };

const ZERO_GUID = /^0{8}-0{4}-0{4}-0{4}-0{12}$/;

/** Graph shows a link not made yet as '' or as the zero GUID; neither is an id. */
export function asId(value: string | null | undefined): string {
  return !value || ZERO_GUID.test(value) ? '' : value;
}

export function toImported(raw: RawImported): ImportedIdentity {
  const state = raw.state ?? {};
  const registration = asId(state.deviceRegistrationId);
  const hash = raw.hardwareIdentifier;
  return {
    id: raw.id,
    serialNumber: raw.serialNumber ?? '',
    status: state.deviceImportStatus ?? 'unknown',
    errorCode: state.deviceErrorCode ?? 0,
    errorName: state.deviceErrorName ?? '',
    ...(registration ? { autopilotDeviceId: registration } : {}),
    ...(typeof hash === 'string' && hash ? { hashFingerprint: hashFingerprint(hash) } : {}),
  };
}

export function toAutopilot(raw: RawAutopilot): AutopilotDevice {
  return {
    id: raw.id,
    serialNumber: raw.serialNumber ?? '',
    groupTag: raw.groupTag ?? '',
    entraDeviceId: asId(raw.azureAdDeviceId) || asId(raw.azureActiveDirectoryDeviceId),
    userPrincipalName: raw.userPrincipalName ?? '',
    profileStatus: raw.deploymentProfileAssignmentStatus ?? 'unknown',
    details: {
      manufacturer: raw.manufacturer ?? '',
      model: raw.model ?? '',
      displayName: raw.displayName ?? '',
      enrollmentState: raw.enrollmentState ?? 'unknown',
      // Graph's "never" is the year 1.
      ...(raw.lastContactedDateTime && !raw.lastContactedDateTime.startsWith('0001-')
        ? { lastContacted: raw.lastContactedDateTime }
        : {}),
      managedDeviceId: asId(raw.managedDeviceId),
    },
  };
}

export function toGroup(raw: RawGroup): GroupInfo {
  return {
    id: raw.id,
    displayName: raw.displayName ?? '',
    dynamic: (raw.groupTypes ?? []).some((t) => t.toLowerCase() === 'dynamicmembership'),
  };
}
