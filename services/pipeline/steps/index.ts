import type { StepName } from '../../domain/job.js';
import type { StepHandler } from '../step-context.js';
import { addToGroup } from './add-to-group.js';
import { assignUser } from './assign-user.js';
import { awaitAutopilotDevice } from './await-autopilot-device.js';
import { awaitEntraDevice } from './await-entra-device.js';
import { awaitImport } from './await-import.js';
import { awaitProfile } from './await-profile.js';
import { checkRegistration } from './check-registration.js';
import { cleanupImport } from './cleanup-import.js';
import { importDevice } from './import-device.js';
import { setDeviceName } from './set-device-name.js';
import { applyChange } from './lifecycle/apply-change.js';
import { checkDevice } from './lifecycle/check-device.js';
import {
  awaitRemoval,
  deleteAutopilotRecord,
  deleteManagedDevice,
  unassignUser,
} from './lifecycle/deregistration.js';
import { verifyChange } from './lifecycle/verify-change.js';
import { checkIdentifier } from './corporate/check-identifier.js';
import { importIdentifier } from './corporate/import-identifier.js';

export const STEP_HANDLERS: Record<StepName, StepHandler> = {
  'check-registration': checkRegistration,
  import: importDevice,
  'await-import': awaitImport,
  'cleanup-import': cleanupImport,
  'await-autopilot-device': awaitAutopilotDevice,
  'set-device-name': setDeviceName,
  'await-entra-device': awaitEntraDevice,
  'add-to-group': addToGroup,
  'assign-user': assignUser,
  'await-profile': awaitProfile,
  'check-device': checkDevice,
  'apply-change': applyChange,
  'verify-change': verifyChange,
  'delete-managed-device': deleteManagedDevice,
  'unassign-user': unassignUser,
  'delete-autopilot-record': deleteAutopilotRecord,
  'await-removal': awaitRemoval,
  'check-identifier': checkIdentifier,
  'import-identifier': importIdentifier,
};
