import type { NextAuthOptions } from 'next-auth'
import CredentialsImport from 'next-auth/providers/credentials'
import { db } from '@/lib/db/client'
import { authenticate } from '@/lib/server/auth/users'

// next-auth ships CommonJS with `exports.default`: bundlers unwrap it, plain Node ESM (tsx scripts)
// hands us the exports object instead.
const CredentialsProvider = ((CredentialsImport as unknown as { default?: typeof CredentialsImport }).default ??
  CredentialsImport) as typeof CredentialsImport

declare module 'next-auth' {
  interface Session {
    user: { id: string; email: string; name?: string | null }
  }
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
      async authorize(credentials) {
        if (!credentials?.email || !credentials.password) return null
        const user = await authenticate(db(), credentials.email, credentials.password)
        return user ? { id: user.id, email: user.email, name: user.name } : null
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.sub = user.id
        token.email = user.email
      }
      return token
    },
    session({ session, token }) {
      session.user = { id: token.sub ?? '', email: token.email ?? '', name: token.name ?? null }
      return session
    },
  },
}
