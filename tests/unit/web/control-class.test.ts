import { describe, expect, test } from 'vitest'
import { controlClassName } from '@/lib/ui/control-class'

describe('controlClassName', () => {
  test.each([
    ['no classes: full width', undefined, 'block border w-full'],
    ['other classes keep full width', 'font-mono uppercase', 'block border w-full font-mono uppercase'],
    ['a width replaces full width', 'w-28', 'block border w-28'],
    ['an arbitrary width', 'font-mono w-[7rem]', 'block border font-mono w-[7rem]'],
    ['an important width', '!w-40', 'block border !w-40'],
    ['a width under a variant keeps full width below it', 'sm:w-40', 'block border w-full sm:w-40'],
    ['min and max widths are not widths', 'max-w-xs min-w-0', 'block border w-full max-w-xs min-w-0'],
    ['extra spaces', '  w-28   font-mono ', 'block border w-28 font-mono'],
  ] as const)('%s', (_label, caller, expected) => {
    expect(controlClassName('block border', caller)).toBe(expected)
  })
})
