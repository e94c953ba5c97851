'use client'

import { useSyncExternalStore } from 'react'
import type { LiveQuote } from '@/lib/ui/live-pnl'

/**
 * Latest quote per symbol as streamed over SSE, shared by every component of the tab.
 * Components subscribe through useSyncExternalStore and re-render only when their symbol changes.
 */
const quotes = new Map<string, LiveQuote>()
const listeners = new Set<() => void>()
/** Local clock when the newest tick arrived: freshness is judged on this tab's clock (no skew). */
let lastArrivalAt = 0
let version = 0
let connection: 'connecting' | 'open' | 'closed' = 'connecting'

function emit() {
  for (const l of listeners) l()
}

function subscribe(listener: () => void) {
  listeners.add(listener)
  return () => {
    listeners.delete(listener)
  }
}

function isQuote(v: unknown): v is LiveQuote {
  if (!v || typeof v !== 'object') return false
  const q = v as Record<string, unknown>
  return typeof q.symbol === 'string' && typeof q.bid === 'string' && typeof q.ask === 'string' && typeof q.receivedAt === 'number'
}

/** Puts each well-formed quote of `list` in the map unless it holds a newer one; whether any went in. */
function merge(list: unknown, stored: boolean): boolean {
  if (!Array.isArray(list)) return false
  let changed = false
  for (const q of list) {
    if (!isQuote(q)) continue
    const prev = quotes.get(q.symbol)
    // A tick replaces a stored quote of the same moment; a stored quote replaces only older ones.
    if (prev && (stored ? prev.receivedAt >= q.receivedAt : prev.receivedAt > q.receivedAt)) continue
    quotes.set(q.symbol, stored ? { ...q, stored: true } : q)
    changed = true
  }
  if (changed) version += 1
  return changed
}

export function applyQuotes(list: unknown): void {
  if (!merge(list, false)) return
  lastArrivalAt = Date.now()
  emit()
}

/**
 * The last stored quotes, sent once when the stream opens: shown at once (marked `stored`), but
 * they are not ticks, so they move neither the newest-quote time nor the freshness judged on it
 * (a stopped worker must still look stopped). A live tick replaces them.
 */
export function seedQuotes(list: unknown): void {
  if (merge(list, true)) emit()
}

export function setConnection(state: typeof connection): void {
  if (state === connection) return
  connection = state
  emit()
}

export function useQuote(symbol: string): LiveQuote | undefined {
  return useSyncExternalStore(
    subscribe,
    () => quotes.get(symbol),
    () => undefined,
  )
}

/** Every symbol's latest quote; a new Map only when something changed. */
let snapshot: ReadonlyMap<string, LiveQuote> = new Map()
let snapshotAt = -1
function allQuotes(): ReadonlyMap<string, LiveQuote> {
  if (snapshotAt !== version) {
    snapshot = new Map(quotes)
    snapshotAt = version
  }
  return snapshot
}
const EMPTY: ReadonlyMap<string, LiveQuote> = new Map()
export function useQuotes(): ReadonlyMap<string, LiveQuote> {
  return useSyncExternalStore(subscribe, allQuotes, () => EMPTY)
}

/** When (this tab's clock, ms) the newest quote arrived, 0 if none yet. */
export function useLastQuoteArrival(): number {
  return useSyncExternalStore(
    subscribe,
    () => lastArrivalAt,
    () => 0,
  )
}

export function useConnection(): typeof connection {
  return useSyncExternalStore(
    subscribe,
    () => connection,
    () => 'connecting' as const,
  )
}
