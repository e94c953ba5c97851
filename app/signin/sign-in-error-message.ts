const MESSAGES: Record<string, string> = {
  CredentialsSignin: 'Invalid email or password.',
  SessionRequired: 'Please sign in to continue.',
}

/**
 * The sentence for a next-auth sign-in error code. authorize() throws `TooManyAttempts:<s>`,
 * `Busy:<s>` or `Unavailable:<s>` (see signInErrorCode in lib/server/auth/auth-options.ts); next-auth hands the message
 * to the form as the error.
 */
export function signInErrorMessage(code: string | null | undefined, fallback = 'Sign-in failed. Try again.'): string {
  if (!code) return fallback
  const limited = /^TooManyAttempts:(\d+)$/.exec(code)
  if (limited) return `Too many attempts; try again in ${limited[1]} s.`
  const busy = /^Busy:(\d+)$/.exec(code)
  if (busy) return `The server is busy; try again in ${busy[1]} s.`
  const unavailable = /^Unavailable:(\d+)$/.exec(code)
  if (unavailable) return `The database cannot be reached right now (it may be restarting); try again in ${unavailable[1]} s.`
  return MESSAGES[code] ?? fallback
}
