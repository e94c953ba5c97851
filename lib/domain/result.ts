import type { DomainError } from '@/lib/domain/errors'

/** Outcome of an operation whose failure is an expected business case, not a crash. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: DomainError }

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value }
}

export function err(error: DomainError): { ok: false; error: DomainError } {
  return { ok: false, error }
}
