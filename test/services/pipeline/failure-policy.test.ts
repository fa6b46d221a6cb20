/** How Graph's refusals read on a job: version slips, Intune's error envelope, retryability. */
import { describe, expect, it } from 'vitest';
import { GraphRequestError, readableGraphMessage } from '../../../services/graph/graph-errors.js';
import { errorFromException } from '../../../services/pipeline/failure-policy.js';

describe('failure policy', () => {
  it.each([
    [400, 'BadRequest', "Resource not found for the segment 'windowsAutopilotSettings'."],
    [405, 'BadRequest', 'The request is not supported in this version.'],
  ])('reads a %i version slip as a bug to report, not as something to retry', (status, code, message) => {
    const error = errorFromException('await-autopilot-device', new GraphRequestError(status, code, message));
    expect(error).toMatchObject({ code: `HTTP${status}`, name: code, retryable: false });
    expect(error.advice).toBe(
      'Graph does not know this request in the API version called. Report it with the job id.',
    );
  });

  it('retries what Graph may still do (429, 5xx, no answer) and says so', () => {
    for (const status of [0, 429, 503, 504]) {
      const error = errorFromException('import', new GraphRequestError(status, 'x', 'y'));
      expect(error.retryable).toBe(true);
      expect(error.advice).toMatch(/retried automatically/);
    }
  });

  it("unwraps Intune's JSON document inside error.message, up to its operation ids", () => {
    const intune = JSON.stringify({
      _version: 3,
      Message:
        'An error has occurred - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000 - Activity ID: 1',
      CustomApiErrorPhrase: '',
      RetryAfter: null,
    });
    expect(readableGraphMessage(intune)).toBe('An error has occurred');
    expect(readableGraphMessage('Insufficient privileges to complete the operation.')).toBe(
      'Insufficient privileges to complete the operation.',
    );
    expect(readableGraphMessage('{not json')).toBe('{not json');
  });
});
