/**
 * A corpus of malformed intake requests, each with the refusal it must get: every field, wrong types, huge and
 * deeply nested bodies, control characters, bidi and markup in text, bad base64, broken CSVs. Used against the
 * intake routes (test/bot/intake-malformed.test.ts) and against the started service (the reliability suite).
 * The intake key is the caller's; `key: null` means none is sent.
 */
import { fakeHardwareHash } from './jobs.js';

export const validSubmission = () => ({
  serialNumber: 'PF1X2Y3Z',
  hardwareHash: fakeHardwareHash(),
  manufacturer: 'Lenovo',
  model: 'ThinkPad T14',
});
const json = (value: unknown) => JSON.stringify(value);
const withField = (field: string, value: unknown) => json({ ...validSubmission(), [field]: value });
const without = (field: string) => {
  const body: Record<string, unknown> = validSubmission();
  delete body[field];
  return json(body);
};
const nested = (depth: number): unknown => (depth === 0 ? 'x' : { a: nested(depth - 1) });
const HEADER = 'Device Serial Number,Windows Product ID,Hardware Hash';
const row = (serial: string, hash = fakeHardwareHash()) => `${serial},,${hash}`;

export interface MalformedCase {
  name: string;
  method?: string;
  path?: string;
  body?: string | Uint8Array;
  contentType?: string;
  key?: string | null;
  headers?: Record<string, string>;
  status: number;
  code: string;
  field?: string;
}

export const MALFORMED_CASES: MalformedCase[] = [
  { name: 'no intake key', body: json(validSubmission()), key: null, status: 401, code: 'unauthorized' },
  {
    name: 'a wrong intake key',
    body: json(validSubmission()),
    key: 'wrong-key-wrong-key-wrong',
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'Basic instead of Bearer',
    body: json(validSubmission()),
    key: null,
    headers: { authorization: 'Basic dXNlcjpwYXNz' },
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'text/plain body',
    body: json(validSubmission()),
    contentType: 'text/plain',
    status: 415,
    code: 'unsupported_media_type',
    field: 'Content-Type',
  },
  { name: 'broken JSON', body: '{"serialNumber": ', status: 400, code: 'invalid_json', field: 'body' },
  { name: 'a JSON array', body: json([validSubmission()]), status: 400, code: 'invalid_json', field: 'body' },
  { name: 'JSON null', body: 'null', status: 400, code: 'invalid_json', field: 'body' },
  { name: 'a JSON string', body: '"device"', status: 400, code: 'invalid_json', field: 'body' },
  {
    name: 'no serial number',
    body: without('serialNumber'),
    status: 400,
    code: 'invalid_field',
    field: 'serialNumber',
  },
  {
    name: 'a numeric serial number',
    body: withField('serialNumber', 12345),
    status: 400,
    code: 'invalid_field',
    field: 'serialNumber',
  },
  {
    name: 'an empty serial number',
    body: withField('serialNumber', '  '),
    status: 400,
    code: 'invalid_field',
    field: 'serialNumber',
  },
  {
    // Graph is searched on the serial (contains()); three characters would page through much of a tenant.
    name: 'a serial number of 3 characters',
    body: withField('serialNumber', 'AB1'),
    status: 400,
    code: 'invalid_field',
    field: 'serialNumber',
  },
  {
    // Intune refuses '-' in the search and a space matches nothing: the run in between is what is searched.
    name: 'a serial number with no 3 characters in a row between hyphens and spaces',
    body: withField('serialNumber', 'A1-B2 C3-D4'),
    status: 400,
    code: 'invalid_field',
    field: 'serialNumber',
  },
  {
    name: 'a serial number of 65 characters',
    body: withField('serialNumber', 'A'.repeat(65)),
    status: 400,
    code: 'invalid_field',
    field: 'serialNumber',
  },
  {
    name: 'a control character in the serial',
    body: withField('serialNumber', 'AB\u0007CD'),
    status: 400,
    code: 'invalid_field',
    field: 'serialNumber',
  },
  {
    name: 'a bidi override in the serial',
    body: withField('serialNumber', 'AB\u202ECD'),
    status: 400,
    code: 'invalid_field',
    field: 'serialNumber',
  },
  {
    name: 'markdown in the serial',
    body: withField('serialNumber', '**PF1X**'),
    status: 400,
    code: 'invalid_field',
    field: 'serialNumber',
  },
  {
    name: 'HTML in the serial',
    body: withField('serialNumber', '<script>x</script>'),
    status: 400,
    code: 'invalid_field',
    field: 'serialNumber',
  },
  {
    name: 'a quote in the serial',
    body: withField('serialNumber', "PF1'X"),
    status: 400,
    code: 'invalid_field',
    field: 'serialNumber',
  },
  {
    name: 'no hash',
    body: without('hardwareHash'),
    status: 400,
    code: 'invalid_field',
    field: 'hardwareHash',
  },
  {
    name: 'a hash that is not base64',
    body: withField('hardwareHash', '!!!not-base64!!!'),
    status: 400,
    code: 'invalid_field',
    field: 'hardwareHash',
  },
  {
    name: 'a hash far too short',
    body: withField('hardwareHash', Buffer.from('tiny hash').toString('base64')),
    status: 400,
    code: 'invalid_field',
    field: 'hardwareHash',
  },
  {
    name: 'a hash far too large',
    body: withField('hardwareHash', fakeHardwareHash(20_000)),
    status: 400,
    code: 'invalid_field',
    field: 'hardwareHash',
  },
  {
    name: 'a hash with broken padding',
    body: withField('hardwareHash', `${fakeHardwareHash()}abc`),
    status: 400,
    code: 'invalid_field',
    field: 'hardwareHash',
  },
  {
    name: 'a numeric hash',
    body: withField('hardwareHash', 42),
    status: 400,
    code: 'invalid_field',
    field: 'hardwareHash',
  },
  {
    name: 'no manufacturer',
    body: without('manufacturer'),
    status: 400,
    code: 'invalid_field',
    field: 'manufacturer',
  },
  {
    name: 'HTML in the manufacturer',
    body: withField('manufacturer', '<b>HP</b>'),
    status: 400,
    code: 'invalid_field',
    field: 'manufacturer',
  },
  {
    name: 'a markdown link as manufacturer',
    body: withField('manufacturer', '[HP](https://evil.example)'),
    status: 400,
    code: 'invalid_field',
    field: 'manufacturer',
  },
  {
    name: 'a bidi isolate in the manufacturer',
    body: withField('manufacturer', 'HP\u2067'),
    status: 400,
    code: 'invalid_field',
    field: 'manufacturer',
  },
  {
    name: 'a manufacturer of 129 characters',
    body: withField('manufacturer', 'H'.repeat(129)),
    status: 400,
    code: 'invalid_field',
    field: 'manufacturer',
  },
  {
    name: 'a newline in the model',
    body: withField('model', 'Elite\nBook'),
    status: 400,
    code: 'invalid_field',
    field: 'model',
  },
  {
    name: 'an object as model',
    body: withField('model', { name: 'x' }),
    status: 400,
    code: 'invalid_field',
    field: 'model',
  },
  {
    name: 'a mention in the model',
    body: withField('model', '<at>Everyone</at>'),
    status: 400,
    code: 'invalid_field',
    field: 'model',
  },
  {
    name: 'an assigned user that is not a UPN',
    body: withField('assignedUser', 'ada'),
    status: 400,
    code: 'invalid_field',
    field: 'assignedUser',
  },
  {
    name: 'a space in the assigned user',
    body: withField('assignedUser', 'ada lovelace@contoso.com'),
    status: 400,
    code: 'invalid_field',
    field: 'assignedUser',
  },
  {
    name: 'a numeric requestedBy',
    body: withField('requestedBy', 7),
    status: 400,
    code: 'invalid_field',
    field: 'requestedBy',
  },
  {
    name: 'a malformed product key',
    body: withField('productKey', 'ABCDE-12345'),
    status: 400,
    code: 'invalid_field',
    field: 'productKey',
  },
  {
    name: 'an unknown field',
    body: withField('groupTag', 'Sales'),
    status: 400,
    code: 'unknown_field',
    field: 'groupTag',
  },
  {
    name: 'a "constructor" field',
    body: withField('constructor', 'x'),
    status: 400,
    code: 'unknown_field',
    field: 'constructor',
  },
  {
    name: 'a deeply nested value',
    body: withField('serialNumber', nested(500)),
    status: 400,
    code: 'invalid_field',
    field: 'serialNumber',
  },
  {
    name: 'a body over the size limit',
    body: json({ ...validSubmission(), model: 'x'.repeat(70_000) }),
    status: 413,
    code: 'body_too_large',
    field: 'body',
  },
  {
    name: 'an unknown job id',
    method: 'GET',
    path: '/api/submissions/00000000-0000-4000-8000-000000000000',
    status: 404,
    code: 'not_found',
    field: 'id',
  },
  {
    name: 'waitSeconds that is not a number',
    method: 'GET',
    path: '/api/submissions/x?waitSeconds=abc',
    status: 400,
    code: 'invalid_field',
    field: 'waitSeconds',
  },
  {
    name: 'waitSeconds over 60',
    method: 'GET',
    path: '/api/submissions/x?waitSeconds=61',
    status: 400,
    code: 'invalid_field',
    field: 'waitSeconds',
  },
  {
    name: 'since that is not a date',
    method: 'GET',
    path: '/api/submissions/x?since=yesterday',
    status: 400,
    code: 'invalid_field',
    field: 'since',
  },
  {
    name: 'a CSV with the wrong header',
    path: '/api/submissions/batch',
    contentType: 'text/csv',
    body: `Serial,Hash\n${row('A1')}`,
    status: 400,
    code: 'invalid_csv',
    field: 'header',
  },
  {
    name: 'a CSV with an extra column',
    path: '/api/submissions/batch',
    contentType: 'text/csv',
    body: `${HEADER},Group Tag,Assigned User,Notes\nA1,,x,,,`,
    status: 400,
    code: 'invalid_csv',
    field: 'header',
  },
  {
    name: 'an empty CSV',
    path: '/api/submissions/batch',
    contentType: 'text/csv',
    body: '',
    status: 400,
    code: 'invalid_csv',
    field: 'header',
  },
  {
    name: 'a CSV with a header only',
    path: '/api/submissions/batch',
    contentType: 'text/csv',
    body: `${HEADER}\n`,
    status: 400,
    code: 'invalid_csv',
    field: 'file',
  },
  {
    name: 'a CSV of 501 rows',
    path: '/api/submissions/batch',
    contentType: 'text/csv',
    body: [HEADER, ...Array.from({ length: 501 }, (_, i) => row(`R${i}`, 'AAAA'))].join('\n'),
    status: 413,
    code: 'too_many_rows',
    field: 'file',
  },
  {
    name: 'a CSV with an unclosed quote',
    path: '/api/submissions/batch',
    contentType: 'text/csv',
    body: `${HEADER}\n"A1,,x`,
    status: 400,
    code: 'invalid_csv',
    field: 'line 2',
  },
  {
    name: 'a CSV mixing UTF-8 and other bytes',
    path: '/api/submissions/batch',
    contentType: 'text/csv',
    body: Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(`${HEADER}\nA1,,`),
      Buffer.from([0xc3, 0x28, 0xa0]),
    ]),
    status: 400,
    code: 'invalid_csv',
    field: 'file',
  },
  {
    name: 'a CSV in UTF-16 with a broken surrogate',
    path: '/api/submissions/batch',
    contentType: 'text/csv',
    body: Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`${HEADER}\n`, 'utf16le'),
      Buffer.from([0x00, 0xd8, 0x41, 0x00]),
    ]),
    status: 400,
    code: 'invalid_csv',
    field: 'file',
  },
  {
    name: 'a CSV sent as JSON',
    path: '/api/submissions/batch',
    body: `${HEADER}\n${row('A1')}`,
    status: 415,
    code: 'unsupported_media_type',
    field: 'Content-Type',
  },
  {
    name: 'a CSV whose every row is wrong',
    path: '/api/submissions/batch',
    contentType: 'text/csv',
    body: `${HEADER}\n${row('A1', 'bad')}\n${row('<b>', fakeHardwareHash())}`,
    status: 422,
    code: 'no_valid_rows',
  },
  {
    name: 'an unknown batch parameter',
    path: '/api/submissions/batch?colour=red',
    contentType: 'text/csv',
    body: `${HEADER}\n${row('A1')}`,
    status: 400,
    code: 'unknown_field',
    field: 'query.colour',
  },
  {
    name: 'markup in the batch manufacturer',
    path: '/api/submissions/batch?manufacturer=%3Cb%3EHP',
    contentType: 'text/csv',
    body: `${HEADER}\n${row('A1')}`,
    status: 400,
    code: 'invalid_field',
    field: 'query.manufacturer',
  },
];
