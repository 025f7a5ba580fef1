import type { OrdersTotals as Totals } from '../api'
import { formatCount, formatMoney } from '../format'

/** Count and revenue of the filtered set (from the first page of the list). */
export function OrdersTotals({ totals }: { totals: Totals | null | undefined }) {
  if (!totals) return null
  const priced = totals.by_currency.filter((t) => t.currency && t.total !== null)
  return (
    <div className="flex flex-wrap items-baseline gap-x-6 gap-y-1 text-sm" data-testid="orders-totals">
      <span>
        <span className="text-lg font-semibold">{formatCount(totals.count)}</span>{' '}
        <span className="text-muted-foreground">{totals.count === 1 ? 'order' : 'orders'}</span>
      </span>
      {priced.map((t) => (
        <span key={t.currency} data-currency={t.currency}>
          <span className="font-semibold">{formatMoney(t.total, t.currency)}</span>{' '}
          <span className="text-muted-foreground">
            in {formatCount(t.count)} {t.currency} orders
          </span>
        </span>
      ))}
    </div>
  )
}
