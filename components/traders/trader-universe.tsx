'use client'

import { useQuery } from '@tanstack/react-query'
import { fetchJson } from '@/components/live/fetch-json'
import { queryKeys, useLiveEvents } from '@/components/live/use-live-events'
import { formatTimestamp } from '@/lib/ui/time-format'
import type { TraderSummary } from './traders-view'

/**
 * The symbols the trader watches and, for a top-N universe, what the worker last resolved and
 * when, or why it could not. Updated live: the worker announces each resolution.
 */
export function TraderUniverse({ traderId, initial }: { traderId: string; initial: TraderSummary[] }) {
  useLiveEvents()
  const { data = initial } = useQuery({
    queryKey: queryKeys.traders,
    queryFn: () => fetchJson<TraderSummary[]>('/api/ui/traders'),
    initialData: initial,
  })
  const t = data.find((x) => x.traderId === traderId)
  if (!t) return null
  const list = (symbols: string[]) => <p className="font-mono text-xs text-neutral-200">{symbols.length ? symbols.join(', ') : 'none'}</p>
  const u = t.universe
  if (u.kind === 'FIXED') {
    return (
      <div className="space-y-1 text-sm">
        <p className="text-neutral-400">A fixed list:</p>
        {list(t.watchlist)}
      </div>
    )
  }
  const left = [u.excludeStablecoins ? 'stablecoins' : null, u.excludeLeveraged ? 'leveraged tokens' : null, ...u.exclude].filter(Boolean)
  return (
    <div className="space-y-2 text-sm">
      <p className="text-neutral-400">
        Top {u.n} {t.quoteCurrency} spot markets by 24 h quote volume{left.length ? `, without ${left.join(', ')}` : ''}.
      </p>
      {t.universeError ? (
        <p role="alert" className="text-xs text-red-400">
          Last refresh failed: {t.universeError}
        </p>
      ) : null}
      {t.universeRefreshedAt ? (
        <>
          <p className="text-xs text-neutral-400">
            {t.watchlist.length} symbol(s), refreshed {formatTimestamp(t.universeRefreshedAt)} UTC:
          </p>
          {list(t.watchlist)}
        </>
      ) : (
        <>
          <p className="text-xs text-amber-300">Not resolved yet: the worker ranks the markets when it starts, when these settings change and every 15 minutes.</p>
          {t.watchlist.length ? (
            <>
              <p className="text-xs text-neutral-400">Until then it watches the previous list:</p>
              {list(t.watchlist)}
            </>
          ) : null}
        </>
      )}
    </div>
  )
}
