import dns from 'node:dns'
import net from 'node:net'
import ipaddr from 'ipaddr.js'
import { Agent, fetch as undiciFetch } from 'undici'

/**
 * Notification channels are URLs a user types, and the server POSTs to them: left open, any
 * member could make it reach the machine's own services, its network or a cloud metadata endpoint
 * (server-side request forgery). By default a notification goes only to public addresses; a
 * server whose users are trusted with its network (a LAN ntfy or Gotify) sets
 * NOTIFY_ALLOW_PRIVATE_HOSTS=true.
 */
export const ALLOW_PRIVATE_SETTING = 'NOTIFY_ALLOW_PRIVATE_HOSTS=true'

/** A destination refused for being off the public internet: it will not get better by retrying. */
export class PrivateAddressError extends Error {
  constructor(host: string, address: string) {
    super(`${host} is ${host === address ? '' : `at ${address}, `}a private or reserved address: notifications go only to public addresses unless the server sets ${ALLOW_PRIVATE_SETTING}`)
    this.name = 'PrivateAddressError'
  }
}

/**
 * Whether `ip` is a public unicast address, by ipaddr.js's ranges: loopback, private, link-local
 * (cloud metadata), carrier-grade NAT, unique-local, multicast, reserved, and IPv6 forms that can
 * carry an IPv4 address (NAT64, 6to4, Teredo) are not; an IPv4-mapped IPv6 address is judged as
 * its IPv4 address.
 */
export function isPublicAddress(ip: string): boolean {
  try {
    return ipaddr.process(ip).range() === 'unicast'
  } catch {
    return false
  }
}

type LookupAll = (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void
type LookupOne = (err: NodeJS.ErrnoException | null, address: string, family: number) => void

/**
 * dns.lookup for the connection itself: the address judged is the one connected to, so a name that
 * resolves (or re-resolves, between a check and the request) to a refused address is refused too.
 */
function guardedLookup(allowed: (ip: string) => boolean) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupAll | LookupOne) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      const refused = err ? null : addresses.find((a) => !allowed(a.address))
      const failure = err ?? (refused ? new PrivateAddressError(hostname, refused.address) : null)
      if (options.all) return (callback as LookupAll)(failure, failure ? [] : addresses)
      ;(callback as LookupOne)(failure, failure ? '' : addresses[0]!.address, failure ? 0 : addresses[0]!.family)
    })
  }
}

/** fetch that connects only to addresses `allowed` accepts, whether written in the URL or looked up; others throw PrivateAddressError. */
export function addressGuardedFetch(allowed: (ip: string) => boolean): typeof fetch {
  let agent: Agent | undefined
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    // An address written in the URL is connected to without a lookup.
    const literal = url.hostname.replace(/^\[(.*)\]$/, '$1')
    if (net.isIP(literal) && !allowed(literal)) throw new PrivateAddressError(literal, literal)
    agent ??= new Agent({ connect: { lookup: guardedLookup(allowed) as unknown as net.LookupFunction } })
    return (await undiciFetch(url, { ...(init as object), dispatcher: agent })) as unknown as Response
  }
}

/** fetch that connects only to public addresses (see isPublicAddress). */
export const publicOnlyFetch = addressGuardedFetch(isPublicAddress)

/** The error behind a failed fetch (undici wraps a connection's in `cause`), if it was this refusal. */
export function privateAddressRefusal(e: unknown): PrivateAddressError | null {
  if (e instanceof PrivateAddressError) return e
  const cause = (e as { cause?: unknown })?.cause
  return cause instanceof PrivateAddressError ? cause : null
}
