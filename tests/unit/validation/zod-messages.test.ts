import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import '@/lib/server/validation/zod-messages'

const schema = z.object({
  count: z.number().int().min(1).max(5),
  price: z.number().gt(0).lt(10),
  name: z.string().min(2).max(3),
  tags: z.array(z.string()).min(1).max(2),
  side: z.enum(['LONG', 'SHORT']),
  on: z.boolean(),
  nested: z.object({}),
  own: z.number().min(1, 'the schema says so'),
})

const messageFor = (field: keyof z.input<typeof schema>, value: unknown) => {
  const r = schema.shape[field].safeParse(value)
  return r.success ? null : r.error.issues.map((i) => i.message)
}

describe("zod's messages in the house wording", () => {
  it.each([
    ['count', 1.5, ['must be a whole number']],
    ['count', 0, ['must be at least 1']],
    ['count', 6, ['must be at most 5']],
    ['count', '3', ['must be a number']],
    ['price', 0, ['must be greater than 0']],
    ['price', 10, ['must be less than 10']],
    ['name', 'x', ['must be at least 2 characters']],
    ['name', 'abcd', ['must be at most 3 characters']],
    ['name', 5, ['must be a string']],
    ['tags', [], ['must have at least 1 item']],
    ['tags', ['a', 'b', 'c'], ['must have at most 2 items']],
    ['tags', 'a', ['must be a list']],
    ['side', 'FLAT', ['must be one of LONG, SHORT']],
    ['on', 'yes', ['must be true or false']],
    ['nested', 3, ['must be an object']],
    ['own', 0, ['the schema says so']],
  ] as const)('%s = %j → %j', (field, value, expected) => {
    expect(messageFor(field, value)).toEqual(expected)
  })

  it('answers every field left out "is required", whatever its type', () => {
    const r = schema.safeParse({ own: 1 })
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(
      ['count', 'price', 'name', 'tags', 'side', 'on', 'nested'].map((f) => `${f}: is required`),
    )
  })
})
