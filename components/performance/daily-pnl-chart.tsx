'use client'

import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { PerformanceReportView } from '@/lib/server/performance/performance-report'
import { amountTick, zeroBasedAxis } from '@/lib/ui/chart-axes'
import { formatPnl } from '@/lib/ui/decimal-format'

/** Realized PnL of the trades closed each day: green above zero, red below; exact in the tooltip. */
export function DailyPnlChart({ days, currency }: { days: PerformanceReportView['dailyPnl']; currency: string | null }) {
  const data = days.map((d) => ({ day: d.day, pnl: Number(d.pnl), exact: d.pnl, trades: d.trades }))
  const y = zeroBasedAxis(data.map((d) => d.pnl))
  return (
    <figure aria-label="Daily PnL" className="h-56 w-full">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid stroke="#262626" vertical={false} />
          <XAxis dataKey="day" stroke="#a3a3a3" fontSize={11} tickLine={false} tickFormatter={(d: string) => d.slice(5)} minTickGap={16} />
          <YAxis stroke="#a3a3a3" fontSize={11} tickLine={false} width={64} domain={y.domain} ticks={y.ticks} tickFormatter={amountTick} />
          <Tooltip
            cursor={{ fill: '#171717' }}
            contentStyle={{ background: '#0a0a0a', border: '1px solid #404040', fontSize: 12 }}
            formatter={(_v, _n, item) => {
              const p = item.payload as (typeof data)[number]
              return [`${formatPnl(p.exact)}${currency ? ` ${currency}` : ''} (${p.trades} trade${p.trades === 1 ? '' : 's'})`, 'Realized PnL']
            }}
          />
          <Bar dataKey="pnl" isAnimationActive={false}>
            {data.map((d) => (
              <Cell key={d.day} fill={d.pnl >= 0 ? '#10b981' : '#ef4444'} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
      <figcaption className="sr-only">{data.filter((d) => d.trades > 0).map((d) => `${d.day}: ${formatPnl(d.exact)}`).join('; ')}</figcaption>
    </figure>
  )
}
