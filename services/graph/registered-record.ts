/** The part of an Autopilot device a job keeps (see RegisteredRecord): what the card and the audit show. */
import type { RegisteredRecord } from '../domain/job.js';
import type { AutopilotDevice } from './autopilot-graph.js';

export function registeredRecord(device: AutopilotDevice): RegisteredRecord {
  const d = device.details;
  return {
    id: device.id,
    groupTag: device.groupTag,
    displayName: d?.displayName ?? '',
    user: device.userPrincipalName,
    enrollmentState: d?.enrollmentState ?? 'unknown',
    ...(d?.managedDeviceId ? { managedDeviceId: d.managedDeviceId } : {}),
    ...(d ? { manufacturer: d.manufacturer, model: d.model } : {}),
    ...(d?.lastContacted ? { lastContacted: d.lastContacted } : {}),
  };
}
