import { afterEach, describe, expect, test, vi } from 'vitest'
import { FetchError } from '@/components/live/fetch-json'
import { createQueryClient } from '@/components/query-client'

/** The tab's location, its assign() recorded. */
function onPage(pathname: string, search = '') {
  const assigned: string[] = []
  vi.stubGlobal('window', { location: { pathname, search, assign: (url: string) => assigned.push(url) } })
  return assigned
}

afterEach(() => {
  vi.unstubAllGlobals()
})

const refused = (status: number) => () => Promise.reject(new FetchError(status === 401 ? 'sign in first' : 'refused', status))

describe("a tab's read refused because the session ended", () => {
  test('sends the tab to the sign-in page, to come back to the page and its query string', async () => {
    const assigned = onPage('/positions/cmabc', '?tab=fills')
    await expect(createQueryClient().fetchQuery({ queryKey: ['position', 'cmabc'], queryFn: refused(401) })).rejects.toThrow('sign in first')
    expect(assigned).toEqual(['/signin?callbackUrl=%2Fpositions%2Fcmabc%3Ftab%3Dfills'])
  })

  test.each([403, 404, 409, 503])('a %i is the page\'s to show: the tab stays', async (status) => {
    const assigned = onPage('/traders')
    await expect(createQueryClient().fetchQuery({ queryKey: ['traders'], queryFn: refused(status) })).rejects.toThrow('refused')
    expect(assigned).toEqual([])
  })

  test('on the sign-in page itself it goes nowhere', async () => {
    const assigned = onPage('/signin', '?callbackUrl=%2F')
    await expect(createQueryClient().fetchQuery({ queryKey: ['x'], queryFn: refused(401) })).rejects.toThrow()
    expect(assigned).toEqual([])
  })
})
