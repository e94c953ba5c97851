import type { NextAuthOptions } from 'next-auth'
import CredentialsImport from 'next-auth/providers/credentials'
import { db } from '@/lib/db/client'
import { authenticateWithLimits } from '@/lib/server/auth/sign-in-attempts'
import { knownError } from '@/lib/server/errors/known-error'
import { clientAddress } from '@/lib/server/http/client-address'

// next-auth ships CommonJS with `exports.default`: bundlers unwrap it, plain Node ESM (tsx scripts)
// hands us the exports object instead.
const CredentialsProvider = ((CredentialsImport as unknown as { default?: typeof CredentialsImport }).default ??
  CredentialsImport) as typeof CredentialsImport

declare module 'next-auth' {
  interface Session {
    /** sessionVersion: the User.sessionVersion this session was issued under (see current-user.ts). */
    user: { id: string; email: string; name?: string | null; sessionVersion?: number }
  }
  interface User {
    sessionVersion?: number
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    /** User.sessionVersion at sign-in; a password change bumps the user's, ending this session. */
    sv?: number
  }
}

/**
 * What authorize() throws for a refused attempt. next-auth v4 passes a thrown error's message to
 * the sign-in form as `error` (signIn() result, or ?error= on /signin), so it is a short code the
 * form turns into a sentence: `TooManyAttempts:<seconds>`, `Busy:<seconds>` or `Unavailable:<seconds>`
 * (the database cannot be reached).
 */
export function signInErrorCode(err: unknown): string | null {
  const known = knownError(err)
  if (known?.code === 'RATE_LIMITED') return `TooManyAttempts:${known.retryAfterSeconds ?? 60}`
  if (known?.code === 'BUSY') return `Busy:${known.retryAfterSeconds ?? 5}`
  if (known?.code === 'DATABASE_UNAVAILABLE') return `Unavailable:${known.retryAfterSeconds ?? 5}`
  return null
}

/**
 * The JWT signing secret. Production needs NEXTAUTH_SECRET (the start script provides a
 * persistent one); development and tests fall back to a fixed value so `next dev` works with no
 * setup. Without an explicit secret next-auth derives one from the options object, which differs
 * between the route handler and getServerSession, so sessions would never decode.
 */
export function authSecret(): string | undefined {
  const secret = process.env.NEXTAUTH_SECRET || process.env.AUTH_SECRET
  if (secret) return secret
  if (process.env.NODE_ENV !== 'production') return 'tradeloop-development-secret-not-for-production'
  return undefined
}

// next-auth v4 builds its absolute URLs (redirects, secure-cookie choice) from NEXTAUTH_URL, or,
// when AUTH_TRUST_HOST is set, from the request's Host / X-Forwarded-Proto. Without either it
// assumes http://localhost:3000, which breaks any other port or host. A self-hosted app is
// reached under whatever address its owner chose, so trust the request unless a URL is pinned.
if (!process.env.NEXTAUTH_URL && !process.env.AUTH_TRUST_HOST) process.env.AUTH_TRUST_HOST = 'true'

export const authOptions: NextAuthOptions = {
  secret: authSecret(),
  session: { strategy: 'jwt', maxAge: 7 * 24 * 60 * 60 },
  pages: { signIn: '/signin', error: '/signin' },
  providers: [
    CredentialsProvider({
      id: 'credentials',
      name: 'Email and password',
      credentials: {
        email: { label: 'Email', type: 'email' },
        password: { label: 'Password', type: 'password' },
      },
      async authorize(credentials, req) {
        if (!credentials?.email || !credentials.password) return null
        const database = db()
        let user
        try {
          user = await authenticateWithLimits(database, {
            email: credentials.email,
            password: credentials.password,
            address: clientAddress(req?.headers ?? {}),
          })
        } catch (err) {
          const code = signInErrorCode(err)
          if (code) throw new Error(code)
          throw err
        }
        if (!user) return null
        const row = await database.user.findUnique({ where: { id: user.id }, select: { sessionVersion: true } })
        return { id: user.id, email: user.email, name: user.name, sessionVersion: row?.sessionVersion ?? 0 }
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.sub = user.id
        token.email = user.email
        token.sv = user.sessionVersion ?? 0
      }
      return token
    },
    session({ session, token }) {
      session.user = { id: token.sub ?? '', email: token.email ?? '', name: token.name ?? null, sessionVersion: token.sv ?? 0 }
      return session
    },
  },
}
