'use client'

import { useQueryClient } from '@tanstack/react-query'
import Link from 'next/link'
import { useEffect, useState, useTransition, type FormEvent } from 'react'
import { openPositionAction } from '@/app/(app)/positions/actions'
import { useQuote } from '@/components/live/quote-store'
import { queryKeys } from '@/components/live/use-live-events'
import { isTakeProfitField, TakeProfitEditor } from '@/components/positions/take-profit-editor'
import { DecimalField, FormError, SelectField, SubmitButton } from '@/components/ui/fields'
import { formatDecimal } from '@/lib/ui/decimal-format'
import { remapTakeProfitErrors, takeProfitsFromRows, unplacedErrors, type TakeProfitRow } from '@/lib/ui/take-profit-rows'
import { firstOpenable, stoppedNote, traderOptionLabel, type TraderSwitches } from '@/lib/ui/trader-switches'

export interface TraderOption extends TraderSwitches {
  traderId: string
  watchlist: string[]
}

const PLACED = new Set(['traderId', 'symbol', 'side', 'sizeMode', 'size', 'entryType', 'limitPrice', 'stopLoss'])

function QuoteHint({ symbol }: { symbol: string }) {
  const q = useQuote(symbol)
  if (!symbol) return null
  return (
    <p className="font-mono text-xs text-neutral-400" data-testid="form-quote">
      {q ? (
        <>
          {q.stored ? 'last stored: ' : null}bid <span className="text-emerald-300">{formatDecimal(q.bid)}</span> · ask <span className="text-red-300">{formatDecimal(q.ask)}</span>
        </>
      ) : (
        'waiting for a live quote…'
      )}
    </p>
  )
}

// How long the form waits for the first live quote of a symbol before letting the server judge.
const QUOTE_GRACE_MS = 5000

/**
 * True while no live quote for `symbol` has arrived yet, for at most QUOTE_GRACE_MS after it was
 * chosen: a just-added symbol gets its first price within a tick or two, and an order sent before
 * would only be refused. Afterwards the server decides (and explains a stale market).
 */
function useAwaitingQuote(symbol: string): boolean {
  const quote = useQuote(symbol)
  const [expired, setExpired] = useState<string | null>(null)
  useEffect(() => {
    const t = setTimeout(() => setExpired(symbol), QUOTE_GRACE_MS)
    return () => clearTimeout(t)
  }, [symbol])
  return Boolean(symbol) && !quote && expired !== symbol
}

/** Opens a position by hand; on success stays on the dashboard (the row appears live) and links to the new position. */
export function OpenPositionForm({ traders }: { traders: TraderOption[] }) {
  const qc = useQueryClient()
  const [pending, startTransition] = useTransition()
  const [traderId, setTraderId] = useState(firstOpenable(traders)?.traderId ?? '')
  const trader = traders.find((t) => t.traderId === traderId) ?? firstOpenable(traders)
  const [symbol, setSymbol] = useState(trader?.watchlist[0] ?? '')
  const [side, setSide] = useState<'LONG' | 'SHORT'>('LONG')
  const [sizeMode, setSizeMode] = useState<'QUOTE' | 'BASE'>('QUOTE')
  const [size, setSize] = useState('')
  const [entryType, setEntryType] = useState<'MARKET' | 'LIMIT'>('MARKET')
  const [limitPrice, setLimitPrice] = useState('')
  const [stopLoss, setStopLoss] = useState('')
  const [tps, setTps] = useState<TakeProfitRow[]>([{ price: '', sharePct: '' }])
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string | undefined>()
  const [opened, setOpened] = useState<{ positionId: string; label: string } | null>(null)
  const watchlist = trader?.watchlist ?? []
  const activeSymbol = watchlist.includes(symbol) ? symbol : (watchlist[0] ?? '')
  const awaitingQuote = useAwaitingQuote(activeSymbol)

  if (!trader) {
    return (
      <p className="text-sm text-neutral-400">
        You have no trader yet. <Link href="/traders" className="text-emerald-400 underline">Create a trader</Link> with a paper account and a watchlist to open positions.
      </p>
    )
  }
  const base = activeSymbol.split('/')[0] || 'base'

  function onSubmit(event: FormEvent) {
    event.preventDefault()
    const { takeProfits, indexMap } = takeProfitsFromRows(tps)
    const input = {
      traderId: trader!.traderId,
      symbol: activeSymbol,
      side,
      sizeMode,
      size: size.trim(),
      entryType,
      limitPrice: entryType === 'LIMIT' ? limitPrice.trim() : undefined,
      stopLoss: stopLoss.trim(),
      takeProfits,
    }
    setOpened(null)
    startTransition(async () => {
      const res = await openPositionAction(input)
      if (res.ok) {
        setErrors({})
        setFormError(undefined)
        setOpened({ positionId: res.data.positionId, label: `${side} ${input.symbol}` })
        setSize('')
        setLimitPrice('')
        setStopLoss('')
        setTps([{ price: '', sharePct: '' }])
        void qc.invalidateQueries({ queryKey: queryKeys.dashboard })
        return
      }
      setErrors(remapTakeProfitErrors(res.fieldErrors, indexMap))
      setFormError(res.formError)
    })
  }

  const leftovers = unplacedErrors(errors, (f) => PLACED.has(f) || isTakeProfitField(f))

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Open position" className="space-y-3">
      <div className="grid gap-2 sm:grid-cols-2">
        <SelectField
          id="open-trader"
          label="Trader"
          value={trader.traderId}
          onChange={(e) => {
            setTraderId(e.target.value)
            setSymbol(traders.find((t) => t.traderId === e.target.value)?.watchlist[0] ?? '')
          }}
          options={traders.map((t) => ({ value: t.traderId, label: traderOptionLabel(t) }))}
          error={errors.traderId}
          hint={stoppedNote(trader) && <span className="text-amber-300" data-testid="open-trader-stopped">{stoppedNote(trader)}</span>}
        />
        <SelectField
          id="open-symbol"
          label="Symbol"
          value={activeSymbol}
          onChange={(e) => setSymbol(e.target.value)}
          options={trader.watchlist.map((s) => ({ value: s, label: s }))}
          error={errors.symbol}
        />
      </div>
      <QuoteHint symbol={activeSymbol} />
      <div className="grid gap-2 sm:grid-cols-2">
        <SelectField
          id="open-side"
          label="Side"
          value={side}
          onChange={(e) => setSide(e.target.value as 'LONG' | 'SHORT')}
          options={[
            { value: 'LONG', label: 'LONG (buy)' },
            { value: 'SHORT', label: 'SHORT (sell)' },
          ]}
          error={errors.side}
        />
        <SelectField
          id="open-entry-type"
          label="Entry type"
          value={entryType}
          onChange={(e) => setEntryType(e.target.value as 'MARKET' | 'LIMIT')}
          options={[
            { value: 'MARKET', label: 'Market' },
            { value: 'LIMIT', label: 'Limit' },
          ]}
          error={errors.entryType}
        />
      </div>
      <div className="grid gap-2 sm:grid-cols-2">
        <DecimalField id="open-size" label="Size" value={size} onChange={(e) => setSize(e.target.value)} error={errors.size} placeholder={sizeMode === 'QUOTE' ? '100' : '0.01'} />
        <SelectField
          id="open-size-mode"
          label="Size in"
          value={sizeMode}
          onChange={(e) => setSizeMode(e.target.value as 'QUOTE' | 'BASE')}
          options={[
            { value: 'QUOTE', label: `${trader.quoteCurrency} (quote)` },
            { value: 'BASE', label: `${base} (base)` },
          ]}
          error={errors.sizeMode}
        />
      </div>
      {entryType === 'LIMIT' ? (
        <DecimalField id="open-limit-price" label="Limit price" value={limitPrice} onChange={(e) => setLimitPrice(e.target.value)} error={errors.limitPrice} />
      ) : null}
      <DecimalField id="open-stop-loss" label="Stop loss" value={stopLoss} onChange={(e) => setStopLoss(e.target.value)} error={errors.stopLoss} hint="Required: price at which the position is closed at market." />
      <TakeProfitEditor idPrefix="open" rows={tps} onChange={setTps} errors={errors} />
      <FormError messages={[formError, ...leftovers]} />
      {opened ? (
        <p role="status" className="rounded border border-emerald-900 bg-emerald-950/50 px-3 py-2 text-sm text-emerald-300">
          Position opened: {opened.label}.{' '}
          <Link href={`/positions/${opened.positionId}`} className="font-semibold underline">
            View position
          </Link>
        </p>
      ) : null}
      <SubmitButton pending={pending} disabled={awaitingQuote} title={awaitingQuote ? 'Waiting for the first live price of this symbol' : undefined} className="w-full">
        Open position
      </SubmitButton>
    </form>
  )
}
