/** The emulator on loopback and a raw HTTP caller with a token from the real MSAL, for emulator tests. */
import {
  startGraphEmulator,
  type GraphEmulatorOptions,
  type RunningGraphEmulator,
} from '../../graph-emulator/server.js';
import { emulatorTokens } from './graph.js';
import { fakeHardwareHash } from './jobs.js';

export interface CallResult {
  status: number;
  headers: Headers;
  // Graph's JSON, read loosely in tests.
  body: Record<string, any>;
}

export type Call = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<CallResult>;

export async function startEmulatorWithCaller(
  options: GraphEmulatorOptions = {},
): Promise<{ emulator: RunningGraphEmulator; call: Call; token: string }> {
  const emulator = await startGraphEmulator({
    ...options,
    scenario: { timeScale: 0.001, ...options.scenario },
  });
  const token = await emulatorTokens(emulator).getToken();
  const call: Call = async (method, path, body, headers = {}) => {
    const response = await fetch(`${emulator.graphUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text ? JSON.parse(text) : undefined) as Record<string, any>,
    };
  };
  return { emulator, call, token };
}

export const upload = (serialNumber: string, hash = fakeHardwareHash()) => ({
  serialNumber,
  hardwareIdentifier: hash,
  groupTag: '',
  productKey: '',
  assignedUserPrincipalName: '',
});

/** Intune's inner error document, parsed out of `error.message`. */
export function intuneMessage(body: Record<string, any>): { _version: number; Message: string } {
  return JSON.parse(body.error.message as string) as { _version: number; Message: string };
}
