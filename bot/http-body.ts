/** Reads a request body up to a limit, as bytes. Refuses early on a Content-Length over the limit. */
import type { IncomingMessage } from 'node:http';
import { IntakeError } from '../services/intake/intake-error.js';

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit)
    return Promise.reject(
      new IntakeError('body_too_large', `The body is larger than ${limit} bytes.`, 'body'),
    );
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new IntakeError('body_too_large', `The body is larger than ${limit} bytes.`, 'body'));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function requireContentType(req: IncomingMessage, accepted: readonly string[]): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!accepted.includes(type)) {
    throw new IntakeError(
      'unsupported_media_type',
      `Content-Type must be ${accepted.join(' or ')}.`,
      'Content-Type',
    );
  }
}
