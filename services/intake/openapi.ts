/**
 * The intake API's OpenAPI 3.1 description, served at /api/openapi.json. The submission schema is generated from
 * the zod schema the server validates with; a test checks the routes and the job view against the code.
 */
import { z } from 'zod';
import { JOB_STATUSES, STEP_NAMES } from '../domain/job.js';
import { submissionSchema } from './submission.js';

const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
    },
  },
};

const jobView = {
  type: 'object',
  required: ['id', 'status', 'serialNumber', 'hashFingerprint', 'flags', 'createdAt', 'updatedAt', 'steps'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    status: { type: 'string', enum: [...JOB_STATUSES] },
    outcome: { type: 'string', enum: ['imported', 'already_registered'] },
    serialNumber: { type: 'string' },
    hashFingerprint: {
      type: 'string',
      description: 'sha256: and 16 hex digits; the hash itself is never returned',
    },
    flags: {
      type: 'array',
      items: {
        type: 'string',
        enum: ['already_registered', 'not_on_allow_list', 'duplicate_request', 'other_tenant'],
      },
    },
    batchId: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    steps: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'state'],
        properties: {
          name: { type: 'string', enum: [...STEP_NAMES] },
          state: { type: 'string', enum: ['pending', 'running', 'succeeded', 'failed', 'skipped'] },
          startedAt: { type: 'string', format: 'date-time' },
          endedAt: { type: 'string', format: 'date-time' },
        },
      },
    },
    error: {
      type: 'object',
      properties: {
        step: { type: 'string' },
        code: { type: 'string' },
        name: { type: 'string' },
        advice: { type: 'string' },
        retryable: { type: 'boolean' },
      },
    },
  },
};

const refusals = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [
      String(c),
      {
        description: 'Refused; nothing stored',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    ]),
  );

export function openApiDocument(serverUrl?: string): object {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Autopilot Approvals intake API',
      version: '1.0.0',
      description: 'Submit Windows devices for an approved Autopilot import and follow them.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ intakeKey: [] }],
    components: {
      securitySchemes: {
        intakeKey: { type: 'http', scheme: 'bearer', description: 'An intake key from INTAKE_KEYS' },
      },
      schemas: {
        Submission: z.toJSONSchema(submissionSchema, { io: 'input', unrepresentable: 'any' }),
        JobView: jobView,
        Error: errorBody,
      },
    },
    paths: {
      '/api/submissions': {
        post: {
          summary: 'Submit one device for approval',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Submission' } } },
          },
          responses: {
            '202': {
              description: 'Accepted: a new job awaits approval',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: { id: { type: 'string' }, status: { type: 'string' } },
                  },
                },
              },
            },
            '200': {
              description: 'The serial already has an open job: that job',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/JobView' } } },
            },
            ...refusals(400, 401, 413, 415, 422, 429),
          },
        },
      },
      '/api/submissions/batch': {
        post: {
          summary:
            "Submit an Intune CSV (up to 500 devices), or Microsoft's corporate-identifier CSV (no header, Manufacturer,Model,Serial), as one batch",
          parameters: [
            {
              name: 'manufacturer',
              in: 'query',
              schema: { type: 'string' },
              description: 'for every row (the CSV has none)',
            },
            { name: 'model', in: 'query', schema: { type: 'string' }, description: 'for every row' },
          ],
          requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' } } } },
          responses: {
            '202': { description: 'A report per row; accepted rows became jobs of one batch' },
            '422': { description: 'No row was accepted; the report says why' },
            ...refusals(400, 401, 413, 415, 429),
          },
        },
      },
      '/api/changes/batch': {
        post: {
          summary:
            'Bulk re-tag: serial numbers (one per line, first column; up to 500) all to one group tag, after an approver approves the batch',
          parameters: [
            {
              name: 'groupTag',
              in: 'query',
              required: true,
              schema: { type: 'string' },
              description: 'one of the configured group tags',
            },
          ],
          requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' } } } },
          responses: {
            '202': {
              description:
                'A report per line; each serial with exactly one Autopilot record became a change job of one batch',
            },
            '422': { description: 'No line was accepted; the report says why' },
            ...refusals(400, 401, 413, 415, 429, 503),
          },
        },
      },
      '/api/submissions/status': {
        post: {
          summary: 'Up to 500 jobs at once (a whole CSV batch), with the same long-poll as one job',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['ids'],
                  properties: {
                    ids: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 500 },
                    waitSeconds: { type: 'integer', minimum: 0, maximum: 60 },
                    since: { type: 'string', format: 'date-time' },
                  },
                },
              },
            },
          },
          responses: {
            '200': {
              description: 'The jobs found, and the ids not found',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      jobs: { type: 'array', items: { $ref: '#/components/schemas/JobView' } },
                      missing: { type: 'array', items: { type: 'string' } },
                    },
                  },
                },
              },
            },
            ...refusals(400, 401, 413, 415, 429),
          },
        },
      },
      '/api/submissions/{id}': {
        get: {
          summary: 'A job: status, outcome, steps, error',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            {
              name: 'waitSeconds',
              in: 'query',
              schema: { type: 'integer', minimum: 0, maximum: 60 },
              description: 'wait up to this long for a change',
            },
            {
              name: 'since',
              in: 'query',
              schema: { type: 'string', format: 'date-time' },
              description: 'the updatedAt the client has seen',
            },
          ],
          responses: {
            '200': {
              description: 'The job',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/JobView' } } },
            },
            ...refusals(400, 401, 404, 429),
          },
        },
      },
      '/api/openapi.json': {
        get: { summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.1' } } },
      },
      '/api/health': {
        get: { summary: 'Liveness', security: [], responses: { '200': { description: 'ok' } } },
      },
      '/api/ready': {
        get: {
          summary: 'Readiness: the store is reachable and the instance is not stopping',
          security: [],
          responses: {
            '200': { description: 'ready' },
            '503': { description: 'unavailable, with the reason' },
          },
        },
      },
    },
  };
}
