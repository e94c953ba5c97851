import type { PanicResult } from '@/lib/server/panic/press-panic'

/** Per position (and per canceled order) what the panic did, as the service reported it. */
export function PanicReportTable({ result }: { result: PanicResult }) {
  const positions = result.runs.flatMap((r) => r.positions)
  const orders = result.runs.flatMap((r) => r.orders)
  return (
    <div className="space-y-1 text-sm">
      <p role="status" className={result.failed ? 'text-red-400' : 'text-emerald-400'}>
        {result.failed ? `${result.failed} item(s) could not be closed or canceled: see below.` : `Trading halted. ${positions.length} position(s) handled, ${orders.length} order(s) canceled.`}
      </p>
      {positions.length ? (
        <div className="relative overflow-x-auto">
          <table aria-label="Panic report" className="w-full text-left text-xs">
            <thead className="text-neutral-400">
              <tr>
                <th className="py-1 pr-3">Symbol</th>
                <th className="pr-3">Side</th>
                <th className="pr-3">Outcome</th>
                <th>Detail</th>
              </tr>
            </thead>
            <tbody>
              {positions.map((p) => (
                <tr key={p.positionId} className="border-t border-neutral-800">
                  <td className="py-1 pr-3">{p.symbol}</td>
                  <td className="pr-3">{p.side}</td>
                  <td className={`pr-3 ${p.outcome === 'FAILED' ? 'text-red-400' : ''}`}>{p.outcome}</td>
                  <td>{p.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  )
}
