/** The upload's fallback rules, against a fake SDK client that refuses as told. */
import { GraphError, type Client } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import { uploadDevices } from '../../../services/graph/import-upload.js';

type Answer = (path: string, body: Record<string, any>) => unknown;

/** A client whose every POST goes to `answer`; a thrown GraphError is what the SDK throws for a 4xx. */
function fakeClient(answer: Answer, posts: string[]): Client {
  return {
    api: (path: string) => ({
      middlewareOptions: () => ({
        post: (body: Record<string, any>) => {
          posts.push(path.endsWith('/import') ? 'import' : 'create');
          return Promise.resolve().then(() => answer(path, body));
        },
      }),
    }),
  } as unknown as Client;
}

const refused = (message: string) => {
  const error = new GraphError(400, message);
  error.code = 'BadRequest';
  return error;
};
const device = (serialNumber: string) => ({ serialNumber, hardwareHash: 'aGFzaA==', groupTag: null });
const record = (serialNumber: string) => ({
  id: `id-${serialNumber}`,
  serialNumber,
  state: { deviceImportStatus: 'unknown' },
});

describe('uploadDevices', () => {
  it('sends the rest no more when the first single is refused just as the chunk was', async () => {
    const posts: string[] = [];
    const client = fakeClient(() => {
      throw refused('The tenant is not enabled for Autopilot.');
    }, posts);
    const results = await uploadDevices(client, [device('A0001'), device('B0002'), device('C0003')]);
    expect(posts).toEqual(['import', 'create']);
    expect([...results.values()].map((r) => (r.ok ? 'ok' : r.error.status))).toEqual([400, 400, 400]);
  });

  it('gives each device its own answer when a single device is what Intune refuses', async () => {
    const posts: string[] = [];
    const client = fakeClient((path, body) => {
      if (path.endsWith('/import')) throw refused('One of the devices is invalid.');
      if (body.serialNumber === 'BAD00002') throw refused('The hardware hash is malformed.');
      return record(body.serialNumber as string);
    }, posts);
    const results = await uploadDevices(client, [device('GOOD0001'), device('BAD00002'), device('GOOD0003')]);
    expect(posts).toEqual(['import', 'create', 'create', 'create']);
    expect(results.get('GOOD0001')).toMatchObject({ ok: true, value: { id: 'id-GOOD0001' } });
    expect(results.get('BAD00002')).toMatchObject({ ok: false, error: { status: 400 } });
    expect(results.get('GOOD0003')?.ok).toBe(true);
  });

  it('never sends a chunk again whose answer was lost: each device keeps the failure, to be looked up', async () => {
    const posts: string[] = [];
    const client = fakeClient(() => {
      throw new Error('socket hang up');
    }, posts);
    const results = await uploadDevices(client, [device('LOST0001'), device('LOST0002')]);
    expect(posts).toEqual(['import']);
    expect([...results.values()].map((r) => (r.ok ? 'ok' : r.error.retryable))).toEqual([true, true]);
  });
});
