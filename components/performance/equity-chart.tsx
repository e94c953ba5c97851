'use client'

import { Area, AreaChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { EquityView } from '@/lib/server/performance/performance-report'
import { amountTick, percentTick, zeroBasedAxis } from '@/lib/ui/chart-axes'
import { formatDecimal } from '@/lib/ui/decimal-format'
import { formatTimestamp } from '@/lib/ui/time-format'

const DAY = 86_400_000
const axis = { stroke: '#a3a3a3', fontSize: 11, tickLine: false } as const
const tooltipStyle = { background: '#0a0a0a', border: '1px solid #404040', fontSize: 12 }

const HOUR = 3_600_000

/**
 * About seven ticks on whole UTC days (or whole hours under two days), so a label is never
 * repeated for points of the same day.
 */
function timeAxis(min: number, max: number): { ticks: number[]; format: (t: number) => string } {
  const unit = max - min >= 2 * DAY ? DAY : HOUR
  const step = Math.max(1, Math.ceil((max - min) / unit / 7)) * unit
  const ticks: number[] = []
  for (let t = Math.ceil(min / step) * step; t <= max; t += step) ticks.push(t)
  const format = (t: number) => {
    const iso = new Date(t).toISOString()
    return unit === DAY ? iso.slice(5, 10) : iso.slice(11, 16)
  }
  return { ticks: ticks.length ? ticks : [min], format }
}

/**
 * Account equity over the period and, below it on the same time axis, how far it was under its
 * previous high. Lines are drawn from numbers (a chart needs them); the tooltips read the exact
 * decimal strings.
 */
export function EquityChart({ curve, currency }: { curve: EquityView['curve']; currency: string | null }) {
  const data = curve.map((p) => ({ t: Date.parse(p.at), equity: Number(p.equity), drawdown: Number(p.drawdownPct), exactEquity: p.equity, exactDrawdown: p.drawdownPct }))
  const { ticks, format } = timeAxis(data[0]?.t ?? 0, data[data.length - 1]?.t ?? 0)
  // Three ticks: the drawdown strip is short. Never under water: 0 % at the top of a −1 % axis.
  const dd = data.some((d) => d.drawdown < 0) ? zeroBasedAxis(data.map((d) => d.drawdown), 3) : { domain: [-1, 0], ticks: [-1, 0] }
  const x = { dataKey: 't', type: 'number' as const, scale: 'time' as const, domain: ['dataMin', 'dataMax'] as [string, string], ticks, tickFormatter: format, ...axis }
  const label = (t: unknown) => `${formatTimestamp(new Date(Number(t)).toISOString())} UTC`
  return (
    <div className="space-y-2">
      <figure aria-label="Equity curve" className="h-56 w-full">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} syncId="performance-equity" margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
            <CartesianGrid stroke="#262626" vertical={false} />
            <XAxis {...x} />
            <YAxis {...axis} width={72} domain={['auto', 'auto']} tickFormatter={amountTick} />
            <Tooltip
              contentStyle={tooltipStyle}
              labelFormatter={label}
              formatter={(_v, _n, item) => [`${formatDecimal((item.payload as (typeof data)[number]).exactEquity)}${currency ? ` ${currency}` : ''}`, 'Equity']}
            />
            <Line dataKey="equity" type="linear" stroke="#10b981" dot={data.length < 60} strokeWidth={1.5} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
        <figcaption className="sr-only">
          Equity from {data[0] ? formatDecimal(data[0].exactEquity) : '—'} to {data.length ? formatDecimal(data[data.length - 1]!.exactEquity) : '—'}
          {currency ? ` ${currency}` : ''}
        </figcaption>
      </figure>
      <figure aria-label="Drawdown" className="h-32 w-full">
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart data={data} syncId="performance-equity" margin={{ top: 4, right: 8, bottom: 0, left: 8 }}>
            <CartesianGrid stroke="#262626" vertical={false} />
            <XAxis {...x} />
            <YAxis {...axis} width={72} domain={dd.domain} ticks={dd.ticks} tickFormatter={percentTick} />
            <Tooltip contentStyle={tooltipStyle} labelFormatter={label} formatter={(_v, _n, item) => [`${(item.payload as (typeof data)[number]).exactDrawdown}%`, 'Drawdown']} />
            <Area dataKey="drawdown" type="linear" stroke="#ef4444" fill="#ef4444" fillOpacity={0.25} isAnimationActive={false} />
          </AreaChart>
        </ResponsiveContainer>
        <figcaption className="sr-only">Deepest drawdown {data.length ? `${Math.min(...data.map((d) => d.drawdown)).toFixed(2)}%` : '—'}</figcaption>
      </figure>
    </div>
  )
}
