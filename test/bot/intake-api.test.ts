import { afterEach, describe, expect, it } from 'vitest';
import { approve } from '../../services/domain/transitions.js';
import { corporateIdentifierSchema, hashSubmissionSchema } from '../../services/intake/submission.js';
import { jobView } from '../../services/intake/job-view.js';
import { mutateJob } from '../../services/store/mutate.js';
import { fakeHardwareHash, submittedJob } from '../support/jobs.js';
import { allJobs, startIntakeServer, TEST_KEY, type IntakeFixture } from '../support/intake-server.js';

let server: IntakeFixture | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const device = (serialNumber: string, extra: Record<string, string> = {}) => ({
  serialNumber,
  hardwareHash: fakeHardwareHash(),
  manufacturer: 'Lenovo',
  model: 'ThinkPad T14',
  ...extra,
});
const post = (s: IntakeFixture, body: unknown) =>
  s.request('POST', '/api/submissions', { body: JSON.stringify(body) });
const HEADER = 'Device Serial Number,Windows Product ID,Hardware Hash';

describe('POST /api/submissions', () => {
  it('accepts a device: 202 with id and status, a job awaiting approval, a progress event, and no hash in the view', async () => {
    server = await startIntakeServer();
    const body = device('PF-100', {
      assignedUser: 'ada@contoso.example',
      requestedBy: 'bob@contoso.example',
    });
    const reply = await post(server, body);
    expect(reply.status).toBe(202);
    expect(reply.body).toEqual({ id: expect.any(String), status: 'awaiting_approval' });
    const stored = (await server.store.get(reply.body.id))?.job;
    expect(stored).toMatchObject({
      device: { serialNumber: 'PF-100', manufacturer: 'Lenovo', assignedUser: 'ada@contoso.example' },
      submittedBy: { channel: 'api', via: 'deploy-tool', requestedBy: 'bob@contoso.example' },
      hardwareHash: body.hardwareHash,
    });
    expect(server.publisher.events.map((e) => e.id)).toEqual([reply.body.id]);
    const view = await server.request('GET', `/api/submissions/${reply.body.id}`);
    expect(view.body).toMatchObject({
      id: reply.body.id,
      status: 'awaiting_approval',
      serialNumber: 'PF-100',
      hashFingerprint: expect.stringMatching(/^sha256:/),
    });
    expect(view.body.steps).toHaveLength(10);
    expect(view.text).not.toContain(body.hardwareHash.slice(0, 40));
  });

  it('answers a serial with an open job with 200 and that job, concurrent double submits included', async () => {
    server = await startIntakeServer();
    const [a, b] = await Promise.all([post(server, device('DUP-1')), post(server, device('DUP-1'))]);
    expect([a.status, b.status].sort()).toEqual([200, 202]);
    const created = a.status === 202 ? a : b;
    const existing = a.status === 200 ? a : b;
    expect(existing.body.id).toBe(created.body.id);
    expect(await allJobs(server.store)).toHaveLength(1);
  });

  it('flags a serial already registered in Autopilot, looked up once', async () => {
    server = await startIntakeServer();
    server.registered.add('REG-9');
    const reply = await post(server, device('REG-9'));
    expect((await server.store.get(reply.body.id))?.job.flags).toEqual(['already_registered']);
    expect(server.lookups).toBe(1);
  });

  it('refuses or flags devices off the allow-lists, as configured', async () => {
    server = await startIntakeServer({
      allowedManufacturers: ['Lenovo', 'HP'],
      allowedModels: [],
      allowListMode: 'refuse',
    });
    const refused = await post(server, { ...device('ALW-1'), manufacturer: 'Acme' });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'not_allowed', field: 'manufacturer' });
    expect((await post(server, { ...device('ALW-2'), manufacturer: 'hp' })).status).toBe(202);
    await server.stop();
    server = await startIntakeServer({ allowedModels: ['ThinkPad T14'], allowListMode: 'flag' });
    const flagged = await post(server, { ...device('ALW-3'), model: 'Other' });
    expect(flagged.status).toBe(202);
    expect((await server.store.get(flagged.body.id))?.job.flags).toEqual(['not_on_allow_list']);
  });

  it('rate-limits per key with Retry-After, storing nothing over the limit', async () => {
    server = await startIntakeServer({ ratePerMinute: 3 });
    const replies = [];
    for (let i = 0; i < 4; i++) replies.push(await post(server, device(`RLT-${i}`)));
    expect(replies.map((r) => r.status)).toEqual([202, 202, 202, 429]);
    expect(replies[3]?.body.error.code).toBe('rate_limited');
    expect(Number(replies[3]?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await allJobs(server.store)).toHaveLength(3);
  });

  it('checks the key first: junk with bad keys from the same address never holds up a good key', async () => {
    const fixture = await startIntakeServer({ ratePerMinute: 50, authFailuresPerMinute: 2 });
    server = fixture;
    const junk = () =>
      fixture.request('POST', '/api/submissions', { body: '{}', key: 'guess-guess-guess-guess' });
    const refused = [];
    for (let i = 0; i < 4; i++) refused.push((await junk()).status);
    // Guessing is slowed down: past the limit of failed authentications, 429 rather than 401.
    expect(refused).toEqual([401, 401, 429, 429]);
    for (let i = 0; i < 5; i++) expect((await post(fixture, device(`GOOD-${i}`))).status).toBe(202);
    expect(await allJobs(fixture.store)).toHaveLength(5);
  });

  it('takes the client from X-Forwarded-For only behind a trusted proxy', async () => {
    const junkFrom = (client: string) =>
      server!.request('POST', '/api/submissions', {
        body: '{}',
        key: 'guess-guess-guess-guess',
        headers: { 'x-forwarded-for': `${client}:50000` },
      });
    server = await startIntakeServer({ authFailuresPerMinute: 1, trustedProxies: ['127.0.0.0/8'] });
    expect([(await junkFrom('203.0.113.5')).status, (await junkFrom('203.0.113.5')).status]).toEqual([
      401, 429,
    ]);
    // Another client behind the same proxy has a budget of its own.
    expect((await junkFrom('203.0.113.6')).status).toBe(401);
    await server.stop();
    // Without TRUSTED_PROXIES the header is the client's own word: ignored, the peer is the client.
    server = await startIntakeServer({ authFailuresPerMinute: 1 });
    expect([(await junkFrom('203.0.113.5')).status, (await junkFrom('203.0.113.6')).status]).toEqual([
      401, 429,
    ]);
  });
});

describe('POST /api/submissions/status', () => {
  const status = (s: IntakeFixture, body: unknown) =>
    s.request('POST', '/api/submissions/status', { body: JSON.stringify(body) });

  it('answers for many jobs at once, names the unknown ids, and never shows a hash', async () => {
    server = await startIntakeServer();
    const a = (await post(server, device('STA-1'))).body.id as string;
    const b = (await post(server, device('STA-2'))).body.id as string;
    const reply = await status(server, { ids: [a, b, 'no-such-job'] });
    expect(reply.status).toBe(200);
    expect(reply.body.jobs.map((j: { serialNumber: string }) => j.serialNumber).sort()).toEqual([
      'STA-1',
      'STA-2',
    ]);
    expect(reply.body.missing).toEqual(['no-such-job']);
    expect(reply.text).not.toMatch(/hardwareHash/);
    const refused = await status(server, { ids: [] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('ids');
  });

  it('holds at most 10 waiting requests per key: the next is told to come back', async () => {
    server = await startIntakeServer();
    const id = (await post(server, device('STA-3'))).body.id as string;
    const waiting = Array.from({ length: 10 }, () => status(server!, { ids: [id], waitSeconds: 2 }));
    await new Promise((r) => setTimeout(r, 200));
    const eleventh = await status(server, { ids: [id], waitSeconds: 2 });
    expect(eleventh.status).toBe(429);
    expect(Number(eleventh.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await Promise.all(waiting)).map((r) => r.status)).toEqual(Array(10).fill(200));
    // Once they are answered, the key may wait again.
    expect((await status(server, { ids: [id], waitSeconds: 1 })).status).toBe(200);
  });
});

describe('GET /api/submissions/{id}', () => {
  it('long-polls: answers as soon as the job changes, or when the wait is over', async () => {
    server = await startIntakeServer();
    const { body } = await post(server, device('LPL-1'));
    const started = Date.now();
    const unchanged = await server.request('GET', `/api/submissions/${body.id}?waitSeconds=1`);
    expect(unchanged.body.status).toBe('awaiting_approval');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);

    const waiting = server.request('GET', `/api/submissions/${body.id}?waitSeconds=20`);
    await new Promise((r) => setTimeout(r, 300));
    const changedAt = Date.now();
    await mutateJob(server.store, body.id, (job) => {
      const r = approve(job, {
        by: { id: 'aad-1', name: 'Alice' },
        at: new Date(),
        groupTag: 'Sales',
        comment: 'INC-1',
      });
      if (!r.ok) throw r.error;
      return r.value;
    });
    const changed = await waiting;
    expect(changed.body.status).toBe('approved');
    expect(Date.now() - changedAt).toBeLessThan(5_000);
  });
});

describe('POST /api/submissions/batch', () => {
  const hash = () => fakeHardwareHash();
  const csv = (rows: string[], header = HEADER) => [header, ...rows].join('\r\n');

  it.each([
    ['UTF-8', (text: string) => Buffer.from(text, 'utf8')],
    [
      'UTF-8 with BOM',
      (text: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]),
    ],
    [
      'UTF-16 LE with BOM',
      (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    ],
    ['UTF-16 LE without BOM', (text: string) => Buffer.from(text, 'utf16le')],
  ])('reads %s with quoted fields, tags and users, and reports every row', async (_name, encode) => {
    server = await startIntakeServer();
    server.registered.add('BAT-3');
    const text = csv(
      [
        `BAT-1,,${hash()},Sales,ada@contoso.example`,
        `"BAT-2",,"${hash()}","Kiosk",`,
        `BAT-3,,${hash()},,`,
        `BAT-4,,not-a-hash,,`,
        `BAT-1,,${hash()},,`,
      ],
      `${HEADER},Group Tag,Assigned User`,
    );
    const reply = await server.request(
      'POST',
      '/api/submissions/batch?manufacturer=HP&model=EliteBook%20840',
      { body: encode(text), contentType: 'text/csv' },
    );
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ accepted: 3, refused: 2, batchId: expect.any(String) });
    expect(reply.body.rows.map((r: { line: number; result: string }) => [r.line, r.result])).toEqual([
      [2, 'accepted'],
      [3, 'accepted'],
      [4, 'accepted'],
      [5, 'refused'],
      [6, 'refused'],
    ]);
    expect(reply.body.rows[3]).toMatchObject({ field: 'hardwareHash' });
    expect(reply.body.rows[4].reason).toMatch(/twice/);
    const jobs = await allJobs(server.store);
    const bySerial = Object.fromEntries(jobs.map((j) => [j.device.serialNumber, j]));
    expect(bySerial['BAT-1']).toMatchObject({
      batchId: reply.body.batchId,
      device: {
        manufacturer: 'HP',
        model: 'EliteBook 840',
        requestedGroupTag: 'Sales',
        assignedUser: 'ada@contoso.example',
      },
      submittedBy: { channel: 'batch' },
    });
    expect(bySerial['BAT-2']?.device.requestedGroupTag).toBe('Kiosk');
    expect(bySerial['BAT-3']?.flags).toEqual(['already_registered']);
    expect(server.lookups).toBe(1);
    // The batch keeps what its card shows and its jobs cannot: the refused rows.
    expect((await server.store.getBatch(reply.body.batchId))?.batch).toMatchObject({
      rows: 5,
      alreadyOpen: 0,
      submittedBy: { channel: 'batch' },
      refused: [
        { line: 5, field: 'hardwareHash' },
        { line: 6, serialNumber: 'BAT-1' },
      ],
    });
  });

  it('reports a row whose serial already has an open job as accepted, with that job', async () => {
    server = await startIntakeServer();
    const first = await post(server, device('OPEN-1'));
    const reply = await server.request('POST', '/api/submissions/batch', {
      body: csv([`OPEN-1,,${hash()}`, `NEW-1,,${hash()}`]),
      contentType: 'text/csv',
    });
    expect(reply.body.rows[0]).toMatchObject({ result: 'accepted', jobId: first.body.id, existing: true });
    expect(reply.body.rows[1]).toMatchObject({ result: 'accepted', existing: false });
    expect((await server.store.getBatch(reply.body.batchId))?.batch.alreadyOpen).toBe(1);
  });
});

describe('POST /api/changes/batch', () => {
  it('stores nothing and answers 503 while Intune cannot be read; names a tag that is not configured', async () => {
    server = await startIntakeServer();
    server.registered.add('RETAG-001');
    const post = (body: string, tag: string) =>
      server!.request('POST', `/api/changes/batch?groupTag=${tag}`, { body, contentType: 'text/csv' });
    server.graphDown = true;
    const down = await post('RETAG-001', 'Kiosk');
    expect(down.status).toBe(503);
    expect(down.body.error).toMatchObject({ code: 'graph_unavailable', field: 'file' });
    expect((await server.store.list({ limit: 5 })).items).toEqual([]);
    server.graphDown = false;
    const unknownTag = await post('RETAG-001', 'Finance');
    expect(unknownTag.status).toBe(400);
    expect(unknownTag.body.error.field).toBe('query.groupTag');
    const accepted = await post('RETAG-001', 'Kiosk');
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ accepted: 1, refused: 0 });
  });
});

describe('OpenAPI description', () => {
  it('is served without a key and describes exactly what the server validates and returns', async () => {
    server = await startIntakeServer();
    const reply = await server.request('GET', '/api/openapi.json', { key: null });
    expect(reply.status).toBe(200);
    const doc = reply.body;
    expect(doc.openapi).toBe('3.1.0');
    const [submission, corporate] = doc.components.schemas.Submission.anyOf;
    expect(Object.keys(submission.properties).sort()).toEqual(Object.keys(hashSubmissionSchema.shape).sort());
    expect([...submission.required].sort()).toEqual([
      'hardwareHash',
      'manufacturer',
      'model',
      'serialNumber',
    ]);
    expect(submission.additionalProperties).toBe(false);
    expect(Object.keys(corporate.properties).sort()).toEqual(
      Object.keys(corporateIdentifierSchema.shape).sort(),
    );
    expect([...corporate.required].sort()).toEqual(['manufacturer', 'model', 'serialNumber', 'type']);
    const documented = doc.components.schemas.JobView;
    const full = jobView({
      ...submittedJob(),
      outcome: 'imported',
      batchId: 'b',
      error: { step: 'import', code: 'x', name: 'y', advice: 'z', retryable: false },
    });
    expect(Object.keys(documented.properties).sort()).toEqual(Object.keys(full).sort());
    expect(documented.required.every((k: string) => k in jobView(submittedJob()))).toBe(true);
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/changes/batch',
      '/api/health',
      '/api/openapi.json',
      '/api/ready',
      '/api/submissions',
      '/api/submissions/batch',
      '/api/submissions/status',
      '/api/submissions/{id}',
    ]);
    // Every documented operation is really served (not 404/405).
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(methods)) {
        const probe = await server.request(
          method.toUpperCase(),
          path.replace('{id}', '00000000-0000-4000-8000-000000000000'),
          { key: TEST_KEY, ...(method === 'post' ? { body: '{}' } : {}) },
        );
        expect(
          [404, 405].includes(probe.status) && probe.body?.error?.code !== 'not_found',
          `${method} ${path}`,
        ).toBe(false);
      }
    }
  });
});
