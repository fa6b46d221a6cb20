import { describe, expect, it } from 'vitest';
import { costOf } from '../../../services/graph/middleware.js';

const GRAPH = 'https://graph.microsoft.com';

describe("a request's cost against Intune's budget", () => {
  it('counts device-management requests, and writes among them', () => {
    expect(
      costOf('GET', `${GRAPH}/beta/deviceManagement/windowsAutopilotDeviceIdentities`, undefined),
    ).toEqual({
      requests: 1,
      writes: 0,
    });
    expect(
      costOf(
        'DELETE',
        `${GRAPH}/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/1`,
        undefined,
      ),
    ).toEqual({ requests: 1, writes: 1 });
  });

  it('marks the import action as an upload (it has a lane of its own in the budget)', () => {
    const url = `${GRAPH}/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import`;
    expect(costOf('POST', url, undefined)).toEqual({ requests: 1, writes: 1, upload: true });
    expect(costOf('POST', `${GRAPH}/beta/deviceManagement/windowsAutopilotSettings/sync`, undefined)).toEqual(
      {
        requests: 1,
        writes: 1,
      },
    );
  });

  it('leaves directory requests (groups, devices, users) to their own limits', () => {
    expect(costOf('POST', `${GRAPH}/v1.0/groups/g/members/$ref`, undefined)).toEqual({
      requests: 0,
      writes: 0,
    });
    expect(costOf('GET', `${GRAPH}/v1.0/devices?$filter=x`, undefined)).toEqual({ requests: 0, writes: 0 });
  });

  it('counts a $batch by its Intune parts', () => {
    const body = JSON.stringify({
      requests: [
        {
          id: '1',
          method: 'POST',
          url: '/deviceManagement/windowsAutopilotDeviceIdentities/a/assignUserToDevice',
        },
        { id: '2', method: 'GET', url: '/deviceManagement/windowsAutopilotDeviceIdentities/b' },
        { id: '3', method: 'POST', url: '/groups/g/members/$ref' },
      ],
    });
    expect(costOf('POST', `${GRAPH}/v1.0/$batch`, body)).toEqual({ requests: 2, writes: 1 });
  });
});
