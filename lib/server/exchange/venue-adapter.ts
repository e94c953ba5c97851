import { DEFAULT_STOP_LIMIT_OFFSET } from '@/lib/domain/market/stop-limit'
import type { ExchangeCapabilities, ExchangePort } from '@/lib/exchange/port'

export type Venue = 'binance' | 'coinbase'
export type LiveMode = 'TESTNET' | 'LIVE'

/** What a venue adapter can do, known without building it (capabilities never depend on keys). */
export const VENUE_CAPABILITIES: Record<Venue, ExchangeCapabilities> = {
  binance: { shortSelling: false, nativeStop: true, stopLimitOffset: DEFAULT_STOP_LIMIT_OFFSET, oco: true, cancelReplace: true },
  coinbase: { shortSelling: false, nativeStop: true, stopLimitOffset: DEFAULT_STOP_LIMIT_OFFSET, oco: false, cancelReplace: false },
}

/**
 * Venues whose adapter pushes order changes (ExchangePort.watchOrderReports), known without
 * building it: Binance's user data stream, Coinbase's websocket `user` channel.
 */
export const VENUE_ORDER_STREAM: Record<Venue, boolean> = { binance: true, coinbase: true }

export const VENUE_LABEL: Record<Venue, string> = { binance: 'Binance spot', coinbase: 'Coinbase Advanced Trade' }

export interface VenueAdapterConfig {
  accountId: string
  venue: Venue
  mode: LiveMode
  apiKey: string
  secret: string
  baseUrl?: string | null
  timeoutMs?: number
}

/** A venue adapter that can be closed (its HTTP agents) when its account's keys change. */
export type VenueAdapter = ExchangePort & { close(): Promise<void> }

/**
 * Builds the ccxt adapter for an exchange account (or for keys being tested before saving).
 * ccxt is loaded only here, on first use: a process that never touches a live account (the panic
 * command on paper traders, most tests) does not pay seconds of start-up for it.
 */
export async function buildVenueAdapter(c: VenueAdapterConfig): Promise<VenueAdapter> {
  switch (c.venue) {
    case 'binance': {
      const { BinanceSpotExchange } = await import('@/lib/exchange/ccxt/binance-spot-exchange')
      return new BinanceSpotExchange({
        accountId: c.accountId,
        apiKey: c.apiKey,
        secret: c.secret,
        sandbox: c.mode === 'TESTNET',
        baseUrl: c.baseUrl ?? undefined,
        timeoutMs: c.timeoutMs,
      })
    }
    case 'coinbase': {
      // Coinbase has no usable sandbox: its accounts are LIVE only (TESTNET is refused at input).
      if (c.mode !== 'LIVE') throw new Error(`Coinbase Advanced Trade has no ${c.mode} mode`)
      const { CoinbaseExchange } = await import('@/lib/exchange/ccxt/coinbase-exchange')
      return new CoinbaseExchange({
        accountId: c.accountId,
        apiKey: c.apiKey,
        secret: c.secret,
        baseUrl: c.baseUrl ?? undefined,
        timeoutMs: c.timeoutMs,
      })
    }
  }
}
