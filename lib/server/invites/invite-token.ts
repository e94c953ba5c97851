import { randomBytes } from 'node:crypto'
import { hashToken } from '@/lib/server/auth/token-hash'

/** A fresh invite token (URL-safe, 256 bits); only its hash is stored. */
export function newInviteToken(): string {
  return randomBytes(32).toString('base64url')
}

export const hashInviteToken = hashToken

/** The path an invitee opens; relative, so it works behind any host name. */
export function invitePath(token: string): string {
  return `/invite/${token}`
}
