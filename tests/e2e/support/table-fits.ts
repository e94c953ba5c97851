import { expect, type Locator } from '@playwright/test'

/** A table must fit its scrolling box: no column of it is reached only by scrolling the table sideways. */
export async function expectTableFits(table: Locator, name: string) {
  const m = await table.evaluate((t) => ({ scrollWidth: t.parentElement!.scrollWidth, clientWidth: t.parentElement!.clientWidth }))
  expect(m.scrollWidth, `${name}: the table is ${m.scrollWidth}px wide in a ${m.clientWidth}px box`).toBeLessThanOrEqual(m.clientWidth)
}
