import { Fragment } from 'react'
import { num, td, th } from '@/components/positions/positions-table'
import { StatusBadge } from '@/components/ui/status-badge'
import { LAPTOP_ONLY, PhoneRow, WIDE_ONLY } from '@/components/ui/phone-row'
import type { PositionDetail } from '@/components/positions/position-detail-view'
import { isOpenOrderStatus } from '@/lib/domain/orders/order-lifecycle'
import { formatDecimal } from '@/lib/ui/decimal-format'
import { formatTimestamp } from '@/lib/ui/time-format'

type OrderView = PositionDetail['orders'][number]
type FillView = PositionDetail['fills'][number]

// A time's cell (td, but wrapping on a phone): the date and the time on two lines, so the table fits the window.
const TIME_CELL = 'px-2 py-1.5 align-top font-mono text-xs text-neutral-400 sm:whitespace-nowrap'

/** An order's type as the tables show it: STOP_MARKET reads STOP MARKET. */
const typeText = (o: OrderView) => o.type.replace(/_/g, ' ')

/** Why an order is not simply working: it is being canceled, or the exchange refused it. */
function OrderNotes({ o }: { o: OrderView }) {
  return (
    <>
      {o.cancelRequested && isOpenOrderStatus(o.status) ? <div className="font-sans text-xs text-amber-400">coming off the exchange</div> : null}
      {o.rejectReason ? <div className="font-sans text-xs text-red-400">{o.rejectReason}</div> : null}
    </>
  )
}

/** A position's orders, newest last; below a laptop's width each order's status, size and fill sit in a row under it. */
export function OrdersTable({ orders }: { orders: OrderView[] }) {
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full text-sm" aria-label="Orders">
        <thead>
          <tr>
            <th className={th}>Created</th>
            <th className={th}>Purpose</th>
            <th className={th}>
              Side<span className="hidden xl:inline"> / type</span>
            </th>
            <th className={`${th} ${LAPTOP_ONLY}`}>Status / by</th>
            <th className={`${th} ${LAPTOP_ONLY} text-right`}>Qty</th>
            <th className={`${th} ${LAPTOP_ONLY} text-right`}>Price</th>
            <th className={`${th} ${LAPTOP_ONLY} text-right`}>Filled</th>
            <th className={`${th} ${LAPTOP_ONLY} text-right`}>Avg fill</th>
            <th className={`${th} ${LAPTOP_ONLY}`}>Client id / exchange id / reason</th>
          </tr>
        </thead>
        <tbody>
          {orders.map((o) => (
            <Fragment key={o.id}>
              <tr className="border-t border-neutral-800">
                <td className={TIME_CELL}>{formatTimestamp(o.createdAt)}</td>
                <td className={`${td} text-xs`}>{o.purpose.replace(/_/g, ' ')}</td>
                {/* The type and who placed it sit under the side and the status: as columns of their own
                    they left the ids too little of a laptop-wide panel. */}
                <td className={td}>
                  <StatusBadge value={o.side} />
                  <div className="mt-0.5 hidden text-xs xl:block">{typeText(o)}</div>
                </td>
                <td className={`${td} ${LAPTOP_ONLY}`}>
                  <StatusBadge value={o.status} />
                  <div className="mt-0.5 text-[11px] text-neutral-500">
                    by <StatusBadge value={o.createdBy} />
                  </div>
                </td>
                <td className={`${num} ${LAPTOP_ONLY}`}>{formatDecimal(o.qty)}</td>
                <td className={`${num} ${LAPTOP_ONLY}`}>
                  {formatDecimal(o.price)}
                  {o.triggerPrice ? <div className="text-xs text-neutral-400">trigger {formatDecimal(o.triggerPrice)}</div> : null}
                </td>
                <td className={`${num} ${LAPTOP_ONLY}`}>{formatDecimal(o.filledQty)}</td>
                <td className={`${num} ${LAPTOP_ONLY}`}>{formatDecimal(o.avgFillPrice)}</td>
                {/* Ids have no place to break: they wrap anywhere rather than push the table past its panel. */}
                <td className={`${LAPTOP_ONLY} px-2 py-1.5 align-top font-mono text-[11px] text-neutral-500 wrap-anywhere`}>
                  {o.clientOrderId}
                  {o.exchangeOrderId ? <div>exchange {o.exchangeOrderId}</div> : null}
                  <OrderNotes o={o} />
                </td>
              </tr>
              <PhoneRow until="xl" className="space-y-0.5 text-xs text-neutral-300" data-order-of={o.id}>
                <div className="flex flex-wrap items-center gap-x-2 gap-y-0.5">
                  <StatusBadge value={o.status} />
                  {/* In words here ("market order"), not as the wide column's enum between the badge and the size. */}
                  <span>{typeText(o).toLowerCase()} order</span>
                  <span className="font-mono">
                    {formatDecimal(o.qty)}
                    {o.price !== null ? ` @ ${formatDecimal(o.price)}` : ''}
                  </span>
                  {o.triggerPrice ? <span className="text-neutral-400">trigger {formatDecimal(o.triggerPrice)}</span> : null}
                </div>
                {o.filledQty !== '0' ? (
                  <div className="text-neutral-400">
                    filled <span className="font-mono text-neutral-300">{formatDecimal(o.filledQty)}</span> @ <span className="font-mono text-neutral-300">{formatDecimal(o.avgFillPrice)}</span>
                  </div>
                ) : null}
                <OrderNotes o={o} />
                <div className="flex flex-wrap items-center gap-x-2 font-mono text-[11px] text-neutral-500">
                  <StatusBadge value={o.createdBy} />
                  <span className="break-all">{o.clientOrderId}</span>
                  {o.exchangeOrderId ? <span className="break-all">exchange {o.exchangeOrderId}</span> : null}
                </div>
              </PhoneRow>
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** A position's fills; on a phone each fill's fee and liquidity sit in a row under it. */
export function FillsTable({ fills }: { fills: FillView[] }) {
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full text-sm" aria-label="Fills">
        <thead>
          <tr>
            <th className={th}>Time</th>
            <th className={th}>Side</th>
            <th className={`${th} text-right`}>Qty</th>
            <th className={`${th} text-right`}>Price</th>
            <th className={`${th} ${WIDE_ONLY} text-right`}>Fee</th>
            <th className={`${th} ${WIDE_ONLY}`}>Liquidity</th>
          </tr>
        </thead>
        <tbody>
          {fills.map((f) => (
            <Fragment key={f.id}>
              <tr className="border-t border-neutral-800">
                <td className={TIME_CELL}>{formatTimestamp(f.at)}</td>
                <td className={td}>
                  <StatusBadge value={f.side} />
                </td>
                <td className={num}>{formatDecimal(f.qty)}</td>
                <td className={num}>{formatDecimal(f.price)}</td>
                <td className={`${num} ${WIDE_ONLY}`}>
                  <FillFee f={f} />
                </td>
                <td className={`${td} ${WIDE_ONLY} text-xs text-neutral-400`}>{f.liquidity}</td>
              </tr>
              <PhoneRow span={2} className="text-xs text-neutral-400" data-fill-of={f.id}>
                fee <FillFee f={f} /> · {f.liquidity}
              </PhoneRow>
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function FillFee({ f }: { f: FillView }) {
  return (
    <span className="font-mono text-neutral-300">
      {formatDecimal(f.fee)} <span className="text-neutral-500">{f.feeAsset}</span>
    </span>
  )
}
