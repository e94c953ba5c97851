import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Db } from '@/lib/db/client'
import type { ActorRef } from '@/lib/server/audit/actor'
import { recordActivity } from '@/lib/server/activity/record-activity'
import { notFound } from '@/lib/server/errors/app-error'
import { openSecret, sealSecret } from '@/lib/server/secrets/secret-box'

/** The path a trader's TradingView alerts post to. */
export function webhookPath(traderId: string): string {
  return `/api/webhooks/tradingview/${traderId}`
}

/**
 * A new secret for a trader's webhook, sealed at rest like exchange and AI keys. The plain secret
 * is returned to the caller once and never again; only its last four characters (the hint) are
 * kept readable. The previous secret stops working at once.
 */
export async function rotateWebhookSecret(o: { db: Db; userId: string; traderId: string; actor: ActorRef }): Promise<{ secret: string; hint: string; createdAt: Date }> {
  // 32 random bytes: guessing it is hopeless, so no attempt counting is needed to protect it.
  const secret = `whsec_${randomBytes(32).toString('base64url')}`
  const hint = secret.slice(-4)
  const createdAt = new Date()
  await o.db.$transaction(async (tx) => {
    const t = await tx.trader.findFirst({ where: { id: o.traderId, userId: o.userId }, select: { id: true, name: true, webhookSecretEnc: true } })
    if (!t) throw notFound('trader')
    await tx.trader.update({ where: { id: t.id }, data: { webhookSecretEnc: sealSecret(secret), webhookSecretHint: hint, webhookSecretAt: createdAt } })
    await recordActivity(tx, {
      userId: o.userId,
      traderId: t.id,
      type: 'WEBHOOK_SECRET',
      severity: 'info',
      message: `${t.name}: webhook secret ${t.webhookSecretEnc ? 'rotated (the previous one no longer works)' : 'generated'} by ${o.actor.kind === 'USER' ? 'a person' : 'the API'}, ending …${hint}`,
    })
  })
  return { secret, hint, createdAt }
}

/**
 * Whether the presented secret is the trader's, in constant time: both are hashed first, so the
 * comparison neither depends on where they differ nor on their lengths.
 */
export function webhookSecretMatches(sealed: string | null, presented: string | null): boolean {
  if (!sealed || presented === null) return false
  let expected: string
  try {
    expected = openSecret(sealed)
  } catch {
    return false
  }
  const a = createHash('sha256').update(expected).digest()
  const b = createHash('sha256').update(presented).digest()
  return timingSafeEqual(a, b)
}

/** The header a sender that can sign puts its signature in: hex HMAC-SHA256 of the raw body, keyed with the secret. */
export const SIGNATURE_HEADER = 'x-signature-sha256'

/** Whether `signature` (hex, optionally prefixed `sha256=`) is the HMAC-SHA256 of `body` under the trader's secret, in constant time. */
export function webhookSignatureMatches(sealed: string | null, body: string, signature: string): boolean {
  const secret = openedWebhookSecret(sealed)
  if (!secret) return false
  const given = signature.trim().replace(/^sha256=/i, '').toLowerCase()
  if (!/^[0-9a-f]{64}$/.test(given)) return false
  const expected = createHmac('sha256', secret).update(body, 'utf8').digest()
  return timingSafeEqual(expected, Buffer.from(given, 'hex'))
}

/** The plain secret, for redacting it from a logged body (never returned to anyone). */
export function openedWebhookSecret(sealed: string | null): string | null {
  if (!sealed) return null
  try {
    return openSecret(sealed)
  } catch {
    return null
  }
}
