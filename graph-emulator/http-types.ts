export interface EmulatorRequest {
  method: string;
  /** Path after the version segment, original case, e.g. `/deviceManagement/windowsAutopilotDeviceIdentities`. */
  path: string;
  query: URLSearchParams;
  body: unknown;
  version: 'v1.0' | 'beta';
  now: number;
  baseUrl: string;
}

export interface EmulatorResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const graphError = (
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): EmulatorResponse => ({
  status,
  body: {
    error: {
      code,
      message,
      innerError: { date: new Date().toISOString(), 'request-id': crypto.randomUUID() },
    },
  },
  ...(headers ? { headers } : {}),
});
