import type { ConnectionCheck } from '@/lib/exchange/port'
import { buildVenueAdapter, VENUE_LABEL, type LiveMode, type Venue, type VenueAdapter } from '@/lib/server/exchange/venue-adapter'
import { connectionErrorText } from './connection-error-text'

export interface VenueKeys {
  venue: Venue
  mode: LiveMode
  apiKey: string
  secret: string
  baseUrl: string | null
}

/** A key test: what the exchange said when it answered, or why it could not be asked. */
export type KeyCheck = { ok: true; check: ConnectionCheck } | { ok: false; error: string }

/**
 * Asks the exchange, with these keys, for the account's balances and the key's permissions.
 * Every failure (refused keys, no answer, a venue not wired yet) is an outcome with the
 * exchange's message, key material masked; the adapter is always closed afterwards.
 */
export async function checkVenueKeys(keys: VenueKeys, accountId = 'unsaved'): Promise<KeyCheck> {
  let adapter: VenueAdapter | undefined
  try {
    adapter = await buildVenueAdapter({ accountId, venue: keys.venue, mode: keys.mode, apiKey: keys.apiKey, secret: keys.secret, baseUrl: keys.baseUrl })
    if (!adapter.checkConnection) return { ok: false, error: `${VENUE_LABEL[keys.venue]}: this adapter cannot test a connection yet` }
    return { ok: true, check: await adapter.checkConnection() }
  } catch (e) {
    return { ok: false, error: connectionErrorText(e, [keys.apiKey, keys.secret]) }
  } finally {
    // Closing only releases HTTP agents; its failure says nothing about the keys.
    await adapter?.close().catch(() => undefined)
  }
}
