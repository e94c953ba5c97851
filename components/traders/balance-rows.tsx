import { formatBalance } from '@/lib/ui/decimal-format'

/**
 * An account's balances as rows of a <dl> (asset, amount): the quote currency rounded for
 * reading, the exact amount on hover.
 */
export function BalanceRows({ balances, quoteCurrency, amountClassName }: { balances: { asset: string; amount: string }[]; quoteCurrency: string; amountClassName: string }) {
  return balances.map((b) => {
    const shown = formatBalance(b.amount, b.asset === quoteCurrency)
    return (
      <div key={b.asset} className="contents">
        <dt className="text-neutral-500">{b.asset}</dt>
        <dd className={amountClassName} title={shown.exact}>
          {shown.text}
        </dd>
      </div>
    )
  })
}
