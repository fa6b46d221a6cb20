/** The body of POST /api/submissions, parsed once at the edge; code behind it uses only `Submission`. */
import { z } from 'zod';
import { displayName, hardwareHash, productKey, serialNumber, userPrincipalName } from './text-rules.js';

export const submissionSchema = z
  .object({
    serialNumber,
    hardwareHash,
    manufacturer: displayName(128),
    model: displayName(128),
    productKey: productKey.optional(),
    assignedUser: userPrincipalName.optional(),
    requestedBy: userPrincipalName.optional(),
  })
  .strict();

export type Submission = z.infer<typeof submissionSchema>;
