/**
 * The body of POST /api/submissions, parsed once at the edge; code behind it uses only `Submission`. A device is
 * submitted with its hardware hash (classic Autopilot), or, with `"type":"corporateIdentifier"`, as a corporate
 * identifier for Windows Autopilot device preparation: manufacturer, model and serial, no hash.
 */
import { z } from 'zod';
import { IntakeError } from './intake-error.js';
import { parseOrRefuse } from './parse.js';
import { displayName, hardwareHash, productKey, serialNumber, userPrincipalName } from './text-rules.js';

export const hashSubmissionSchema = z
  .object({
    type: z.literal('hardwareHash').optional(),
    serialNumber,
    hardwareHash,
    manufacturer: displayName(128),
    model: displayName(128),
    productKey: productKey.optional(),
    assignedUser: userPrincipalName.optional(),
    requestedBy: userPrincipalName.optional(),
  })
  .strict();

/** What is left of a make or model once the dots and commas that break an identifier are taken out. */
const identifierPart = displayName(128).refine(
  (v) => /[\p{L}\p{N}]/u.test(v.replace(/[.,]/g, '')),
  'must hold letters or digits besides dots and commas',
);

export const corporateIdentifierSchema = z
  .object({
    type: z.literal('corporateIdentifier'),
    serialNumber,
    manufacturer: identifierPart,
    model: identifierPart,
    assignedUser: userPrincipalName.optional(),
    requestedBy: userPrincipalName.optional(),
  })
  .strict();

/** Both kinds, for the OpenAPI document. */
export const submissionSchema = z.union([hashSubmissionSchema, corporateIdentifierSchema]);

export type HashSubmission = z.infer<typeof hashSubmissionSchema>;
export type CorporateIdentifierSubmission = z.infer<typeof corporateIdentifierSchema>;
export type Submission = HashSubmission | CorporateIdentifierSubmission;

/** Parses by `type`, so that each problem is named as the kind of submission sees it. */
export function parseSubmission(body: Record<string, unknown>): Submission {
  const type = body.type;
  if (type === 'corporateIdentifier') return parseOrRefuse(corporateIdentifierSchema, body);
  if (type !== undefined && type !== 'hardwareHash')
    throw new IntakeError('invalid_field', 'type must be "hardwareHash" or "corporateIdentifier".', 'type');
  return parseOrRefuse(hashSubmissionSchema, body);
}
