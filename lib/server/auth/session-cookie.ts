import { encode } from 'next-auth/jwt'
import { authSecret } from '@/lib/server/auth/auth-options'

export const SESSION_MAX_AGE_SECONDS = 7 * 24 * 60 * 60
export const SESSION_COOKIE_NAME = 'next-auth.session-token'
export const SECURE_SESSION_COOKIE_NAME = '__Secure-next-auth.session-token'

export interface SessionCookie {
  name: string
  value: string
  options: { httpOnly: true; sameSite: 'lax'; path: '/'; secure: boolean; maxAge: number }
}

/**
 * A fresh next-auth session cookie for a user under a given sessionVersion: the same JWT next-auth
 * writes at sign-in (sub, email, name, sv), encrypted with the same secret. Used right after a
 * password change, so the browser that changed it stays signed in while every other session ends.
 */
export async function sessionCookieFor(
  user: { id: string; email: string; name: string | null },
  sessionVersion: number,
  secure: boolean,
): Promise<SessionCookie> {
  const secret = authSecret()
  if (!secret) throw new Error('NEXTAUTH_SECRET is not set')
  const value = await encode({
    token: { sub: user.id, email: user.email, name: user.name, sv: sessionVersion },
    secret,
    maxAge: SESSION_MAX_AGE_SECONDS,
  })
  return {
    name: secure ? SECURE_SESSION_COOKIE_NAME : SESSION_COOKIE_NAME,
    value,
    options: { httpOnly: true, sameSite: 'lax', path: '/', secure, maxAge: SESSION_MAX_AGE_SECONDS },
  }
}

/** The cookie as a `Set-Cookie` header value (route handlers). */
export function setCookieHeader(c: SessionCookie): string {
  return [
    `${c.name}=${c.value}`,
    `Path=${c.options.path}`,
    `Max-Age=${c.options.maxAge}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(c.options.secure ? ['Secure'] : []),
  ].join('; ')
}
