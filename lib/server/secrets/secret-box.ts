import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'

/**
 * AES-256-GCM for secrets at rest (LLM keys, webhook URLs, exchange keys). The key comes from
 * SECRETS_KEY (the start script generates one under DATA_DIR); any string is stretched with
 * SHA-256. Ciphertexts are "v1.<iv>.<tag>.<data>" in base64url, so a key rotation can add v2.
 */
function key(): Buffer {
  const raw = process.env.SECRETS_KEY
  if (!raw || raw.length < 16) throw new Error('SECRETS_KEY is not set (at least 16 characters); the start script sets it')
  return createHash('sha256').update(raw).digest()
}

export function sealSecret(plain: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key(), iv)
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
  return ['v1', iv, cipher.getAuthTag(), data].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.')
}

export function openSecret(sealed: string): string {
  const [v, iv, tag, data] = sealed.split('.')
  if (v !== 'v1' || !iv || !tag || data === undefined) throw new Error('not a sealed secret')
  const decipher = createDecipheriv('aes-256-gcm', key(), Buffer.from(iv, 'base64url'))
  decipher.setAuthTag(Buffer.from(tag, 'base64url'))
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8')
}

/** What the UI may show of a secret: never more than its last four characters. */
export function maskSecret(plain: string): string {
  return plain.length <= 8 ? '••••' : `••••${plain.slice(-4)}`
}
