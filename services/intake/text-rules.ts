/**
 * What text the intake accepts. Values end up on Teams cards, in Graph filters and in logs, so the rules are
 * strict: no control or bidi-override characters, and no characters that carry markdown or HTML meaning.
 */
import { z } from 'zod';
import { MIN_SEARCH_RUN, serialSearchTerm } from '../graph/serial-search.js';

/** Real serial numbers are longer; a shorter one is a typing slip, and would match much of a tenant. */
export const MIN_SERIAL_LENGTH = 4;

// Bidi embedding/override/isolate controls: they make text display differently from what it is.
const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u;
const CONTROL = /[\p{Cc}\p{Cf}]/u;
/** Letters, digits, spaces and the punctuation real manufacturer and model names use. */
const SAFE_NAME = /^[\p{L}\p{N} .,\-_()/+'#:]+$/u;
/** Serial numbers: printable ASCII without quotes-that-break-things or markdown/HTML characters. */
const SERIAL = /^[A-Za-z0-9][A-Za-z0-9 ._\-/:+#]*$/;
const UPN =
  /^[A-Za-z0-9._%+\-']+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
/** A character that base64 text never holds. */
const NOT_BASE64 = /[^A-Za-z0-9+/=]/;

/** A real 4K hardware hash decodes to a few kilobytes; far outside this range it is not one. */
export const HASH_BYTES = { min: 512, max: 16_384 } as const;

/** How many "=" end the value (0 to 2). */
function paddingOf(value: string): number {
  return value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
}

/**
 * Base64 characters, then at most two "=". Checked as a search for a character that does not belong, then for an
 * "=" before the end: every submission's 4 KB hash passes here, and the anchored pattern this replaces
 * (`^[A-Za-z0-9+/]+={0,2}$`) took 20 µs a hash in V8, against 5 µs for these two scans.
 */
function isBase64(value: string): boolean {
  const body = value.slice(0, value.length - paddingOf(value));
  return body.length > 0 && !NOT_BASE64.test(body) && !body.includes('=');
}

function noHiddenCharacters(value: string): boolean {
  return !BIDI.test(value) && !CONTROL.test(value);
}

export const serialNumber = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'is required')
  .min(MIN_SERIAL_LENGTH, `must be at least ${MIN_SERIAL_LENGTH} characters`)
  .max(64, 'must be at most 64 characters')
  .refine(noHiddenCharacters, 'must not contain control or bidi characters')
  .refine((v) => SERIAL.test(v), 'may hold letters, digits, spaces and . _ - / : + # only')
  // Intune is searched on this run (see serial-search.ts): a shorter one would page through the tenant.
  .refine(
    (v) => serialSearchTerm(v).length >= MIN_SEARCH_RUN,
    `must hold at least ${MIN_SEARCH_RUN} characters in a row without "-" or a space`,
  );

export const displayName = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'is required')
    .max(max, `must be at most ${max} characters`)
    .refine(noHiddenCharacters, 'must not contain control or bidi characters')
    .refine((v) => SAFE_NAME.test(v), "may hold letters, digits, spaces and . , - _ ( ) / + ' # : only");

export const hardwareHash = z
  .string({ error: 'must be a string' })
  .transform((v) => v.replace(/\s+/g, ''))
  .refine((v) => v.length > 0, 'is required')
  .refine((v) => v.length % 4 === 0 && isBase64(v), 'must be base64')
  .refine((v) => {
    const bytes = (v.length / 4) * 3 - paddingOf(v);
    return bytes >= HASH_BYTES.min && bytes <= HASH_BYTES.max;
  }, `must decode to ${HASH_BYTES.min} to ${HASH_BYTES.max} bytes, as a 4K hardware hash does`);

export const userPrincipalName = z
  .string({ error: 'must be a string' })
  .trim()
  .max(256, 'must be at most 256 characters')
  .refine((v) => UPN.test(v), 'must be a user principal name such as ada@contoso.com');

export const productKey = z
  .string({ error: 'must be a string' })
  .trim()
  .refine(
    (v) => v === '' || /^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$/i.test(v),
    'must be empty or XXXXX-XXXXX-XXXXX-XXXXX-XXXXX',
  );

export const groupTag = z
  .string({ error: 'must be a string' })
  .trim()
  .max(64, 'must be at most 64 characters')
  .refine((v) => v === '' || /^[A-Za-z0-9._-]+$/.test(v), 'may hold letters, digits and . _ - only');
