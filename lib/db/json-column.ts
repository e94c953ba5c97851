import type { Prisma } from '@/lib/generated/prisma/client'

/**
 * A value as plain JSON for a Json column: Decimals become their exact strings (their toJSON),
 * Dates ISO strings, undefined fields are dropped. What is stored reads back exactly as written.
 */
export function toJsonColumn(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value ?? {})) as Prisma.InputJsonValue
}
