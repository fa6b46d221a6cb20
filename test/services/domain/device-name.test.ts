/** Windows device names and the template the card starts from (DEVICE_NAME_TEMPLATE). */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../services/config/config.js';
import {
  deviceNameProblem,
  nameFromTemplate,
  templateProblem,
} from '../../../services/domain/device-name.js';

describe('device names', () => {
  it("keep to Windows' rules: 15 characters, letters, digits and hyphens, not digits only", () => {
    expect(deviceNameProblem('CON-5CG1234XYZ')).toBeUndefined();
    expect(deviceNameProblem('A'.repeat(15))).toBeUndefined();
    expect(deviceNameProblem('A'.repeat(16))).toBe('Keep the device name to 15 characters.');
    expect(deviceNameProblem('CON 12')).toBe('Use letters, digits and hyphens only (no spaces).');
    expect(deviceNameProblem('CON_12')).toBe('Use letters, digits and hyphens only (no spaces).');
    expect(deviceNameProblem('123456')).toBe('A device name cannot be digits only.');
  });

  it('come from the template: the serial cleaned and cut from the left to fit, random digits drawn', () => {
    expect(nameFromTemplate('CON-%SERIAL%', '5CG1234XYZ')).toBe('CON-5CG1234XYZ');
    // 4 + 11 = 15: a long serial keeps its end.
    expect(nameFromTemplate('CON-%SERIAL%', 'VMware-56 4d 12 34 56 78 9a')).toBe('CON-d123456789a');
    expect(nameFromTemplate('CON-%SERIAL%', 'VMware-56 4d 12 34 56 78 9a')).toHaveLength(15);
    expect(nameFromTemplate('LAB-%RAND:4%', 'x', () => 0.5)).toBe('LAB-5555');
    for (const serial of ['A', '0123456789012345678901', 'PF-3X 9Q']) {
      const name = nameFromTemplate('CON-%SERIAL%', serial);
      expect(deviceNameProblem(name), name).toBeUndefined();
    }
  });

  it('refuse a template that cannot make valid names, at start', () => {
    expect(templateProblem('CON-%SERIAL%')).toBeUndefined();
    expect(templateProblem('%SERIAL%-%SERIAL%')).toBe('may hold %SERIAL% once');
    expect(templateProblem('CON_%SERIAL%')).toBe('may hold letters, digits, hyphens and macros only');
    expect(templateProblem('CON-%DATE%')).toBe('only %SERIAL% and %RAND:x% macros are known');
    expect(templateProblem('CONTOSO-LAPTOP-%SERIAL%')).toBe('leaves no room within 15 characters');
    expect(() => loadConfig({ MODE: 'demo', DEVICE_NAME_TEMPLATE: 'CON_%SERIAL%' })).toThrow(
      /DEVICE_NAME_TEMPLATE: may hold letters, digits, hyphens and macros only/,
    );
    expect(
      loadConfig({ MODE: 'demo', DEVICE_NAME_TEMPLATE: 'CON-%SERIAL%' }).approvals.deviceNameTemplate,
    ).toBe('CON-%SERIAL%');
  });
});
