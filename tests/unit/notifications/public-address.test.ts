import { describe, expect, it } from 'vitest'
import { isPublicAddress, publicOnlyFetch } from '@/lib/server/notifications/public-only-fetch'
import { webhookFetchFor } from '@/lib/server/notifications/send-webhook'

describe('isPublicAddress: where a notification may go', () => {
  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (ip) => {
    expect(isPublicAddress(ip)).toBe(true)
  })

  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'IPv6 loopback'],
    ['::ffff:127.0.0.1', 'loopback written as IPv4-mapped IPv6'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local: cloud metadata'],
    ['fe80::1', 'IPv6 link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['fd00::1', 'IPv6 unique-local'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['64:ff9b::a00:1', 'NAT64 (10.0.0.1 inside)'],
    ['2002:a00:1::', '6to4 (10.0.0.1 inside)'],
    ['198.18.0.1', 'reserved (benchmarking)'],
    ['not an address', 'not an address'],
  ])('%s is not (%s)', (ip) => {
    expect(isPublicAddress(ip)).toBe(false)
  })
})

describe('webhookFetchFor', () => {
  it('guards by default, and uses plain fetch only when the server allows private hosts', () => {
    expect(webhookFetchFor({ NOTIFY_ALLOW_PRIVATE_HOSTS: false })).toBe(publicOnlyFetch)
    expect(webhookFetchFor({ NOTIFY_ALLOW_PRIVATE_HOSTS: true })).toBe(fetch)
  })
})
