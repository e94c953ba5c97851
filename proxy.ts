import { NextResponse, type NextRequest } from 'next/server'

/**
 * A path whose percent-encoding does not decode (`/api/v1/traders/%E0%A4%A`) is a client error,
 * but Next answers it with a bare 500: it fails to decode the route's parameters, then fails to
 * render its /400 page (vercel/next.js#94278). Answered here instead, before routing. Only paths
 * holding a `%` come through this function; for every other request Next only tests the matcher.
 */
export function proxy(req: NextRequest) {
  const raw = new URL(req.url).pathname
  if (decodes(raw)) return NextResponse.next()
  const message = 'the URL path is not valid percent-encoding (a % must start %XX of a UTF-8 character)'
  if (raw.startsWith('/api/')) return NextResponse.json({ error: { code: 'VALIDATION', message } }, { status: 400 })
  return new NextResponse(`Bad request: ${message}\n`, { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' } })
}

function decodes(path: string): boolean {
  try {
    decodeURIComponent(path)
    return true
  } catch {
    return false
  }
}

export const config = {
  matcher: ['/(.*%.*)'],
}
