import { ShoppingCart } from 'lucide-react'
import { useState } from 'react'
import { useParams } from 'react-router'

import { EmptyState } from '@/components/common/EmptyState'
import { ErrorState } from '@/components/common/ErrorState'
import { PageHeader } from '@/components/common/PageHeader'
import { Card, CardContent } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { useOrdersPage, type OrderFilters } from '@/features/orders/api'
import { OrderDetailSheet } from '@/features/orders/components/OrderDetailSheet'
import { OrdersFilters } from '@/features/orders/components/OrdersFilters'
import { OrdersPager } from '@/features/orders/components/OrdersPager'
import { OrdersTable } from '@/features/orders/components/OrdersTable'
import { OrdersTotals } from '@/features/orders/components/OrdersTotals'
import { isOrderStatus } from '@/features/orders/format'
import { usePatchableSearchParams } from '@/lib/search-params'

const FILTER_KEYS = ['marketplace', 'status', 'from', 'to'] as const

/** The filters in the page URL; a status the API does not know (an old or edited link) is ignored. */
function readFilters(params: URLSearchParams): OrderFilters {
  const status = params.get('status') ?? ''
  return {
    marketplace: params.get('marketplace') ?? '',
    status: isOrderStatus(status) ? status : '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  }
}

/** "Dec 1, 2026" for a yyyy-mm-dd filter day (a UTC day, as the API reads it). */
function formatDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`)
  return Number.isNaN(date.getTime())
    ? day
    : date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' })
}

/** One filtered list: its pages are a stack of cursors (page n+1 = the cursor page n returned). */
function OrdersList({ tenantId, filters, onOpen }: { tenantId: string; filters: OrderFilters; onOpen: (id: number) => void }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null])
  const cursor = cursors[cursors.length - 1]
  const page = useOrdersPage(tenantId, filters, cursor)
  // The first page carries the totals of the filtered set; it stays cached while paging.
  const first = useOrdersPage(tenantId, filters, null)
  const next = page.data?.next_cursor ?? null

  if (page.isPending) return <Skeleton className="h-96 w-full" data-testid="orders-loading" />
  if (page.isError && !page.data) {
    return <ErrorState error={page.error} title="Could not load orders" onRetry={() => void page.refetch()} />
  }
  const orders = page.data?.orders ?? []
  const filtered = FILTER_KEYS.some((k) => filters[k])
  if (orders.length === 0 && cursors.length === 1) {
    return (
      <EmptyState
        icon={ShoppingCart}
        title={filtered ? 'No orders match these filters' : 'No orders yet'}
        description={
          filtered
            ? 'Try another marketplace, status or date range.'
            : 'Orders appear here after the first sync of a connected seller account.'
        }
      />
    )
  }
  const pager = (
    <OrdersPager
      page={cursors.length}
      hasPrevious={cursors.length > 1}
      hasNext={next !== null}
      busy={page.isFetching}
      onPrevious={() => setCursors((stack) => stack.slice(0, -1))}
      onNext={() => next && setCursors((stack) => [...stack, next])}
    />
  )
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <OrdersTotals totals={first.data?.totals} />
        {pager}
      </div>
      <Card className="py-0">
        <CardContent className="px-0">
          <OrdersTable orders={orders} onOpen={onOpen} dimmed={page.isPlaceholderData} />
        </CardContent>
      </Card>
      {page.isError ? <ErrorState error={page.error} title="Could not load this page" /> : null}
      {pager}
    </div>
  )
}

export function OrdersPage() {
  const { id: tenantId = '' } = useParams()
  const [params, update] = usePatchableSearchParams()
  const filters = readFilters(params)
  const selected = params.get('order')
  // yyyy-mm-dd strings compare as dates.
  const swapped = Boolean(filters.from && filters.to && filters.from > filters.to)
  return (
    <>
      <PageHeader title="Orders" description="Orders synced from Amazon, newest first. Open one to see its items." />
      <div className="space-y-4">
        <OrdersFilters value={filters} onChange={(next) => update({ ...next })} />
        {swapped ? (
          // Typed dates skip the inputs' min and max: say what is wrong instead of "no orders".
          <p role="alert" className="text-destructive text-sm" data-testid="orders-range-error">
            “Purchased from” ({formatDay(filters.from)}) is after “Purchased to” ({formatDay(filters.to)}): pick an end
            date on or after the start.
          </p>
        ) : (
          // A new filter starts again from page 1.
          <OrdersList
            key={JSON.stringify(filters)}
            tenantId={tenantId}
            filters={filters}
            onOpen={(id) => update({ order: String(id) })}
          />
        )}
      </div>
      <OrderDetailSheet
        tenantId={tenantId}
        orderId={selected ? Number(selected) : null}
        onClose={() => update({ order: '' })}
      />
    </>
  )
}
