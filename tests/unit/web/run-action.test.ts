import { afterEach, expect, test, vi } from 'vitest'
import { runAction } from '@/lib/server/ui/action-result'

afterEach(() => {
  vi.unstubAllEnvs()
})

test('a failure while finding the signed-in user is a result the form shows, not an action that throws', async () => {
  // No database to read the session's user from: finding the user fails before the service runs.
  vi.stubEnv('DATABASE_URL', '')
  let ran = false
  const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
  const result = await runAction('probe', async () => {
    ran = true
    return 1
  })
  expect(result).toEqual({ ok: false, status: 500, formError: 'Something went wrong on the server. Check the server log.', fieldErrors: {} })
  expect(ran).toBe(false)
  expect(errors).toHaveBeenCalledWith('[ui] probe failed:', expect.objectContaining({ message: expect.stringContaining('DATABASE_URL is not set') }))
  errors.mockRestore()
})
