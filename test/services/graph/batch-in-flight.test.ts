/** sendBatch (graph/batch.ts): the `$batch` requests of one call go side by side, at most four under way. */
import type { Client } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import { sendBatch, type BatchPart } from '../../../services/graph/batch.js';

interface Sent {
  ids: string[];
  answer: () => void;
  fail: (error: Error) => void;
}

/** A Graph client whose `$batch` posts wait until the test answers them (each part 200 with its own url). */
function heldClient() {
  const sent: Sent[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const client = {
    api: () => ({
      version: () => ({
        post: (body: { requests: { id: string; url: string }[] }) => {
          inFlight++;
          mostInFlight = Math.max(mostInFlight, inFlight);
          return new Promise((resolve, reject) => {
            sent.push({
              ids: body.requests.map((r) => r.id),
              answer: () => {
                inFlight--;
                resolve({
                  responses: body.requests.map((r) => ({ id: r.id, status: 200, body: { url: r.url } })),
                });
              },
              fail: (error) => {
                inFlight--;
                reject(error);
              },
            });
          });
        },
      }),
    }),
  } as unknown as Client;
  return { client, sent, mostInFlight: () => mostInFlight };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const parts = (n: number): BatchPart[] =>
  Array.from({ length: n }, (_, i) => ({ method: 'GET', url: `/items/${i}` }));

describe('sendBatch', () => {
  it('sends up to four $batch requests side by side and gives each part its own answer, in order', async () => {
    const { client, sent, mostInFlight } = heldClient();
    const done = sendBatch(client, 'v1.0', parts(130));
    await settle();
    expect(sent).toHaveLength(4);
    // Answering one lets the next begin, never more than four at once.
    for (let next = sent.shift(); next; next = sent.shift()) {
      next.answer();
      await settle();
    }
    const responses = await done;
    expect(mostInFlight()).toBe(4);
    expect(responses).toHaveLength(130);
    expect(responses.map((r) => (r.body as { url: string }).url)).toEqual(parts(130).map((p) => p.url));
  });

  it('begins no further request after one fails, and throws that failure', async () => {
    const { client, sent } = heldClient();
    const done = sendBatch(client, 'v1.0', parts(200));
    await settle();
    const [first, ...others] = sent.splice(0);
    first?.fail(new Error('connection reset'));
    await settle();
    for (const s of others) s.answer();
    await expect(done).rejects.toThrow('connection reset');
    // Four were under way when the first failed; none of the other six chunks was sent.
    expect(sent).toHaveLength(0);
  });
});
