/** A corpus of malformed requests: each gets its 4xx with a code and the field, nothing is stored, the server stays up. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MALFORMED_CASES, validSubmission } from '../support/malformed-corpus.js';
import { allJobs, startIntakeServer, type IntakeFixture } from '../support/intake-server.js';

let server: IntakeFixture;
beforeAll(async () => {
  server = await startIntakeServer();
});
afterAll(async () => {
  await server.stop();
});

describe('malformed requests', () => {
  it('has a corpus of at least 40 cases', () => {
    expect(MALFORMED_CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(MALFORMED_CASES)('refuses $name with $status $code', async (c) => {
    const reply = await server.request(c.method ?? 'POST', c.path ?? '/api/submissions', {
      ...(c.body === undefined ? {} : { body: c.body }),
      ...(c.contentType ? { contentType: c.contentType } : {}),
      ...(c.key === undefined ? {} : { key: c.key }),
      ...(c.headers ? { headers: c.headers } : {}),
    });
    expect(reply.status).toBe(c.status);
    expect(reply.body.error.code).toBe(c.code);
    expect(typeof reply.body.error.message).toBe('string');
    if (c.field) expect(reply.body.error.field).toBe(c.field);
    // A refusal never echoes a hash back.
    expect(reply.text).not.toMatch(/[A-Za-z0-9+/]{200,}/);
  });

  it('stored nothing for any of them, and still serves', async () => {
    expect(await allJobs(server.store)).toEqual([]);
    const ok = await server.request('POST', '/api/submissions', { body: JSON.stringify(validSubmission()) });
    expect(ok.status).toBe(202);
  });
});
