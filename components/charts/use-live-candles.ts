'use client'

import { useQuery } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { fetchJson } from '@/components/live/fetch-json'
import { useQuote } from '@/components/live/quote-store'
import { timeframeMs, type Timeframe } from '@/lib/domain/market/candle'
import type { CandleList } from '@/lib/server/markets/load-candles'
import { applyTick } from '@/lib/ui/chart/apply-tick'
import { candlesUrl } from '@/lib/ui/chart/candles-url'
import { toChartCandles, type ChartCandle } from '@/lib/ui/chart/chart-candle'

/** Decimals of the most precise price among the bars (at least 2, at most 8): the axis shows as many. */
function pricePrecision(list: CandleList['candles']): number {
  let most = 2
  for (const c of list) for (const v of [c.open, c.high, c.low, c.close]) most = Math.max(most, v.split('.')[1]?.length ?? 0)
  return Math.min(most, 8)
}

/**
 * A symbol's candles from GET /api/v1/markets/{symbol}/candles, kept live by the quote stream the
 * page already has open: each tick moves the last bar's close or opens the next bar.
 */
export function useLiveCandles(symbol: string, timeframe: Timeframe, limit: number) {
  const key = `${symbol}|${timeframe}|${limit}`
  const tfMs = timeframeMs(timeframe)
  const query = useQuery({
    queryKey: ['candles', symbol, timeframe, limit],
    queryFn: () => fetchJson<CandleList>(candlesUrl(symbol, timeframe, limit)),
    staleTime: 10_000,
    refetchOnWindowFocus: false,
  })
  const [state, setState] = useState<{ key: string; bars: readonly ChartCandle[]; precision: number }>({ key: '', bars: [], precision: 2 })
  const data = query.data
  useEffect(() => {
    if (data && data.symbol === symbol && data.timeframe === timeframe) setState({ key, bars: toChartCandles(data.candles), precision: pricePrecision(data.candles) })
  }, [data, key, symbol, timeframe])

  const quote = useQuote(symbol)
  useEffect(() => {
    // A stored quote from when the stream opened is not a tick: the candles already hold it.
    if (!quote || quote.stored) return
    // Bars of another symbol or timeframe are not this tick's to change.
    setState((s) => (s.key === key && s.bars.length ? { ...s, bars: applyTick(s.bars, tfMs, Number(quote.last), quote.receivedAt) } : s))
  }, [quote, key, tfMs])

  const current = state.key === key
  return {
    bars: current ? state.bars : [],
    precision: current ? state.precision : 2,
    source: data?.source ?? null,
    error: query.error,
    loading: query.isPending,
    tfMs,
  }
}
