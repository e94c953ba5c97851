import { createHash, randomBytes } from 'node:crypto'

/** A fresh invite token (URL-safe, 256 bits); only its hash is stored. */
export function newInviteToken(): string {
  return randomBytes(32).toString('base64url')
}

export function hashInviteToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

/** The path an invitee opens; relative, so it works behind any host name. */
export function invitePath(token: string): string {
  return `/invite/${token}`
}
