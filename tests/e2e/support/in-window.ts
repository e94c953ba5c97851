import { expect, type Locator } from '@playwright/test'

/**
 * Scrolls `el` to the middle of the window and checks that it shows and lies wholly inside the
 * window, to half a pixel, with nothing scrolled sideways (by a pixel or more) to bring it there:
 * scrollIntoView would scroll a wide table across. toBeInViewport({ ratio: 1 }) also clips by
 * every scrolling ancestor at sub-pixel precision: a table laid out a hundredth of a pixel wider
 * than its box failed it though nothing was out of sight (seen in CI: ratios 0.998 and 0.99995
 * for a row in plain view).
 */
export async function expectInWindow(el: Locator, name: string) {
  await expect(el).toBeVisible()
  await expect(async () => {
    await el.evaluate((e) => e.scrollIntoView({ block: 'center' }))
    const r = await el.evaluate((e) => {
      const b = e.getBoundingClientRect()
      let sideways = scrollX
      for (let n = e.parentElement; n; n = n.parentElement) sideways += n.scrollLeft
      return { left: b.left, right: b.right, top: b.top, bottom: b.bottom, windowWidth: innerWidth, windowHeight: innerHeight, sideways }
    })
    const inside = r.sideways < 1 && r.left >= -0.5 && r.top >= -0.5 && r.right <= r.windowWidth + 0.5 && r.bottom <= r.windowHeight + 0.5
    expect(inside, `${name}: ${JSON.stringify(r)} is not inside the window`).toBe(true)
  }).toPass({ timeout: 10_000 })
}
