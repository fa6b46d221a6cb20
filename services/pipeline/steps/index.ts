import type { ImportJob, StepName } from '../../domain/job.js';
import type { StepHandler } from '../step-context.js';
import type { StepOutcome } from '../step-outcome.js';
import type { UploadCleanup } from '../upload-cleanup.js';
import { addToGroup } from './add-to-group.js';
import { assignUser, userWithoutGraph } from './assign-user.js';
import { awaitAutopilotDevice } from './await-autopilot-device.js';
import { awaitEntraDevice } from './await-entra-device.js';
import { awaitImport } from './await-import.js';
import { awaitProfile } from './await-profile.js';
import { checkRegistration } from './check-registration.js';
import { cleanupImport, removedWithoutGraph } from './cleanup-import.js';
import { importDevice } from './import-device.js';
import { nameWithoutGraph, setDeviceName } from './set-device-name.js';
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

/**
 * Steps whose outcome is often known without asking Graph (nothing to set, set at import already, removed by the
 * early delete). Such an outcome is written in the same write that ended the step before (step-runner.ts): at
 * 10,000 devices, 30,000 job writes fewer. Each step's handler gives the same outcome when it runs.
 */
export const DECIDED_WITHOUT_GRAPH: Partial<
  Record<StepName, (job: ImportJob, uploads: UploadCleanup | undefined) => StepOutcome | undefined>
> = {
  'set-device-name': nameWithoutGraph,
  'assign-user': userWithoutGraph,
  'cleanup-import': removedWithoutGraph,
};
