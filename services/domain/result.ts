import type { DomainError } from './errors.js';

export type Result<T> = { ok: true; value: T } | { ok: false; error: DomainError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = <T>(error: DomainError): Result<T> => ({ ok: false, error });
