'use client'

import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { DecisionPerformanceView } from '@/lib/server/decisions/decision-performance'
import { amountTick, zeroBasedAxis } from '@/lib/ui/chart-axes'
import { formatPnl } from '@/lib/ui/decimal-format'

/**
 * Realized PnL of closed trades per confidence bucket. The bars are drawn from numbers (a chart
 * needs them); every figure a person reads comes from the exact decimal strings.
 */
export function PnlByBucketChart({ buckets }: { buckets: DecisionPerformanceView['byBucket'] }) {
  const data = buckets.map((b) => ({ label: b.bucketLabel, pnl: Number(b.totalPnl), exact: b.totalPnl, closed: b.closedTrades, winRate: b.winRatePct }))
  const y = zeroBasedAxis(data.map((d) => d.pnl))
  return (
    <figure aria-label="Realized PnL by confidence bucket" className="h-56 w-full">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid stroke="#262626" vertical={false} />
          <XAxis dataKey="label" stroke="#a3a3a3" fontSize={12} tickLine={false} />
          <YAxis stroke="#a3a3a3" fontSize={11} tickLine={false} width={64} domain={y.domain} ticks={y.ticks} tickFormatter={amountTick} />
          <Tooltip
            cursor={{ fill: '#171717' }}
            contentStyle={{ background: '#0a0a0a', border: '1px solid #404040', fontSize: 12 }}
            formatter={(_v, _n, item) => {
              const p = item.payload as (typeof data)[number]
              return [`${formatPnl(p.exact)} (${p.closed} closed${p.winRate ? `, ${p.winRate}% wins` : ''})`, 'Realized PnL']
            }}
          />
          <Bar dataKey="pnl" isAnimationActive={false}>
            {data.map((d) => (
              <Cell key={d.label} fill={d.pnl >= 0 ? '#10b981' : '#ef4444'} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
      <figcaption className="sr-only">{data.map((d) => `${d.label}: ${formatPnl(d.exact)}`).join('; ')}</figcaption>
    </figure>
  )
}
