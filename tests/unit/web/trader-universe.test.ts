import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, test } from 'vitest'
import { TraderUniverse } from '@/components/traders/trader-universe'
import type { TraderSummary } from '@/components/traders/traders-view'
import { universeInput } from '@/components/traders/universe-fields'

const summary = (o: Partial<TraderSummary>): TraderSummary =>
  ({ traderId: 't1', traderName: 'T', quoteCurrency: 'USDT', watchlist: [], universe: { kind: 'FIXED' }, universeRefreshedAt: null, universeError: null, balances: [], equity: null, ...o }) as TraderSummary
const render = (t: TraderSummary) =>
  renderToStaticMarkup(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(TraderUniverse, { traderId: 't1', initial: [t] })))
const top = { kind: 'TOP' as const, n: 2, excludeStablecoins: true, excludeLeveraged: false, exclude: ['DOGE/USDT'] }

describe('TraderUniverse', () => {
  test('a top-N universe the worker has not resolved shows no list of its own', () => {
    const html = render(summary({ universe: top }))
    expect(html).toContain('Top 2 USDT spot markets by 24 h quote volume, without stablecoins, DOGE/USDT.')
    expect(html).toContain('Not resolved yet')
    expect(html).not.toContain('refreshed')
  })

  test('a resolved universe shows its list and when; a failure shows why beside the kept list', () => {
    const ok = render(summary({ universe: top, watchlist: ['BTC/USDT', 'ETH/USDT'], universeRefreshedAt: '2026-11-30T22:15:00.000Z' }))
    expect(ok).toContain('2 symbol(s), refreshed 2026-11-30 22:15:00 UTC')
    expect(ok).toContain('BTC/USDT, ETH/USDT')
    const failed = render(summary({ universe: top, watchlist: ['BTC/USDT'], universeRefreshedAt: '2026-11-30T22:15:00.000Z', universeError: 'cannot read 24 h volumes: timeout' }))
    expect(failed).toContain('Last refresh failed: cannot read 24 h volumes: timeout')
    expect(failed).toContain('refreshed 2026-11-30 22:15:00 UTC')
  })
})

describe('universeInput', () => {
  const form = (entries: [string, string][]) => {
    const f = new FormData()
    for (const [k, v] of entries) f.append(k, v)
    return f
  }
  test('a fixed list sends the watchlist', () => {
    expect(universeInput(form([['universe.kind', 'FIXED']]), 'BTC/USDT')).toEqual({ universe: { kind: 'FIXED' }, watchlist: 'BTC/USDT' })
  })
  test('top N sends the settings and no watchlist; unticked boxes are false', () => {
    expect(universeInput(form([['universe.kind', 'TOP'], ['universe.n', '50'], ['universe.excludeStablecoins', 'on'], ['universe.exclude', 'DOGE/USDT']]), 'BTC/USDT')).toEqual({
      universe: { kind: 'TOP', n: '50', excludeStablecoins: true, excludeLeveraged: false, exclude: 'DOGE/USDT' },
    })
  })
})
