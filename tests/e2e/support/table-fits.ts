import { expect, type Locator, type Page } from '@playwright/test'

/** A table must fit its scrolling box: no column of it is reached only by scrolling the table sideways. */
export async function expectTableFits(table: Locator, name: string) {
  const m = await table.evaluate((t) => ({ scrollWidth: t.parentElement!.scrollWidth, clientWidth: t.parentElement!.clientWidth }))
  expect(m.scrollWidth, `${name}: the table is ${m.scrollWidth}px wide in a ${m.clientWidth}px box`).toBeLessThanOrEqual(m.clientWidth)
}

/** expectTableFits for every table on the page; on failure, names each one that does not fit. */
export async function expectEveryTableFits(page: Page, name: string) {
  const wide = await page.evaluate(() =>
    [...document.querySelectorAll('table')]
      .map((t) => ({ table: t.getAttribute('aria-label') ?? t.querySelector('th')?.textContent ?? '(unnamed)', scrollWidth: t.parentElement!.scrollWidth, clientWidth: t.parentElement!.clientWidth }))
      .filter((m) => m.scrollWidth > m.clientWidth)
      .map((m) => `"${m.table}" is ${m.scrollWidth}px wide in ${m.clientWidth}px`),
  )
  expect(wide, `${name}: tables that scroll sideways`).toEqual([])
}
