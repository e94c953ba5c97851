import { dec, type Decimal } from '@/lib/domain/decimal'

/** Prisma's Decimal is another decimal.js copy; read it through its exact string form. */
export function fromDb(v: { toString(): string }): Decimal {
  return dec(v.toString())
}

export function fromDbOrNull(v: { toString(): string } | null | undefined): Decimal | null {
  return v == null ? null : fromDb(v)
}

/** Exact, plain-notation string for a Decimal column. */
export function toDb(v: Decimal): string {
  return v.toFixed()
}
