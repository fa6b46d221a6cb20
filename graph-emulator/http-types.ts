export type ApiVersion = 'v1.0' | 'beta';

export interface EmulatorRequest {
  method: string;
  /** Path after the version segment, original case, e.g. `/deviceManagement/windowsAutopilotDeviceIdentities`. */
  path: string;
  query: URLSearchParams;
  body: unknown;
  version: ApiVersion;
  now: number;
  baseUrl: string;
}

export interface EmulatorResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Close the connection without an answer (a fault injected after the work was done). */
  drop?: boolean;
}

/** The error body of Microsoft Graph's directory workloads (groups, users, devices) and of Graph itself. */
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

/**
 * Intune's error body: Graph's envelope with a JSON document of Intune's own inside `error.message`
 * (`_version`, `Message`, `CustomApiErrorPhrase`, `RetryAfter`, `ErrorSourceService`, `HttpHeaders`), pretty-printed
 * with CRLF, as quoted in jseerden/IntuneBackupAndRestore #55 and msgraph-sdk-powershell #2464 and #1260.
 */
export const intuneError = (
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): EmulatorResponse => {
  const activity = crypto.randomUUID();
  const inner = {
    _version: 3,
    Message: `${message} - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000 - Activity ID: ${activity} - Url: https://fef.msua06.manage.microsoft.com/DeviceEnrollmentFE/StatelessDeviceEnrollmentFEService/ - CustomApiErrorPhrase: `,
    CustomApiErrorPhrase: '',
    RetryAfter: null,
    ErrorSourceService: '',
    HttpHeaders: '{}',
  };
  return graphError(status, code, JSON.stringify(inner, null, 2).replace(/\n/g, '\r\n'), headers);
};
