/**
 * How a service finds its way to a standalone emulator from its Graph URL alone: the emulator answers
 * `GET /emulator/connection` (outside Graph's /v1.0 and /beta) with its authority, its login host's certificate,
 * its tenant and its built-in test app. Real Graph has no such path; only an emulator is asked this.
 */
import { z } from 'zod';

export const CONNECTION_PATH = '/emulator/connection';

const connectionSchema = z.object({
  graphUrl: z.string().url(),
  authorityHost: z.string().url(),
  caCertificate: z.string().includes('BEGIN CERTIFICATE'),
  tenantId: z.string().min(1),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  timeScale: z.number().positive(),
});

export type EmulatorConnection = z.infer<typeof connectionSchema>;

/** The emulator's root from what an operator may paste: `http://host:4000`, `…/v1.0` or `…/beta`. */
export function emulatorRoot(graphUrl: string): string {
  return graphUrl.replace(/\/+$/, '').replace(/\/(v1\.0|beta)$/i, '');
}

export async function fetchEmulatorConnection(graphUrl: string): Promise<EmulatorConnection> {
  const url = `${emulatorRoot(graphUrl)}${CONNECTION_PATH}`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new Error(
      `GRAPH_EMULATOR_URL: no Graph emulator answers at ${url} (${(error as Error).message}). Start one with npm run emulator.`,
    );
  }
  if (!response.ok)
    throw new Error(`GRAPH_EMULATOR_URL: ${url} answered ${response.status}; is this a Graph emulator?`);
  const parsed = connectionSchema.safeParse(await response.json());
  if (!parsed.success) throw new Error(`GRAPH_EMULATOR_URL: ${url} did not describe an emulator connection.`);
  return parsed.data;
}
