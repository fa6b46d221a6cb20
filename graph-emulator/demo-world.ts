/** The demo's tenant: one device registered to another tenant (808) and one registered here already. */
import type { Scenario } from './scenario.js';
import type { EmulatedTenant } from './world.js';

export const DEMO_SCENARIO: Partial<Scenario> = {
  importErrors: [{ error: 'ZtdDeviceAssignedToOtherTenant', serialNumber: 'DEMO-0808' }],
};

export function seedDemoWorld(tenant: EmulatedTenant): void {
  tenant.seedRegisteredDevice({
    serialNumber: 'DEMO-REG1',
    groupTag: 'Kiosk',
    manufacturer: 'HP',
    model: 'EliteBook 840 G11',
  });
}
