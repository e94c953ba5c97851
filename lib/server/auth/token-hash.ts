import { createHash } from 'node:crypto'

/** How a bearer secret (API token, invite link) is stored: its SHA-256, never the secret itself. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}
