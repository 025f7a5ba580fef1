import { ErrorState } from '@/components/common/ErrorState'
import { Separator } from '@/components/ui/separator'
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from '@/components/ui/sheet'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useOrder, type OrderDetail } from '../api'
import { formatDateTime, formatMoney } from '../format'
import { AddressPanel } from './AddressPanel'
import { OrderStatusBadge } from './OrderStatusBadge'

interface Props {
  tenantId: string
  orderId: number | null
  onClose: () => void
}

function Facts({ order }: { order: OrderDetail }) {
  const facts: [string, string][] = [
    ['Purchased', formatDateTime(order.purchase_date)],
    ['Last update', formatDateTime(order.last_update_date)],
    ['Marketplace', `${order.sales_channel ?? ''} ${order.marketplace_id}`.trim()],
    ['Fulfillment', order.fulfillment_channel ?? '—'],
    ['Service level', order.ship_service_level ?? '—'],
    ['Ship to', [order.ship_city, order.ship_state_or_region, order.ship_country_code].filter(Boolean).join(', ') || '—'],
    ['Total', formatMoney(order.order_total, order.currency)],
    ['Synced from', order.source === 'report' ? 'Order report' : 'Orders API'],
  ]
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
      {facts.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-muted-foreground">{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  )
}

function Items({ order }: { order: OrderDetail }) {
  return (
    <Table aria-label="Order items">
      <TableHeader>
        <TableRow>
          <TableHead>Item</TableHead>
          <TableHead className="text-right">Qty</TableHead>
          <TableHead className="text-right">Price</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {order.items.map((item) => (
          <TableRow key={item.id} data-line-key={item.line_key}>
            <TableCell className="whitespace-normal">
              <div className="text-sm">{item.title ?? item.asin ?? item.seller_sku}</div>
              <div className="text-muted-foreground font-mono text-xs">
                {item.seller_sku} · {item.asin}
              </div>
            </TableCell>
            <TableCell className="text-right tabular-nums">{item.quantity_ordered}</TableCell>
            <TableCell className="text-right tabular-nums">{formatMoney(item.item_price, item.currency)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  )
}

/** The order's facts, item lines and the on-demand address, in a side sheet. */
export function OrderDetailSheet({ tenantId, orderId, onClose }: Props) {
  const order = useOrder(tenantId, orderId)
  return (
    <Sheet open={orderId !== null} onOpenChange={(open) => (open ? undefined : onClose())}>
      <SheetContent className="w-full overflow-y-auto sm:max-w-xl">
        <SheetHeader>
          <SheetTitle className="font-mono">{order.data?.amazon_order_id ?? 'Order'}</SheetTitle>
          <SheetDescription asChild>
            <div>{order.data ? <OrderStatusBadge status={order.data.order_status} /> : 'Loading…'}</div>
          </SheetDescription>
        </SheetHeader>
        <div className="space-y-5 px-4 pb-6">
          {order.isPending ? <Skeleton className="h-48 w-full" /> : null}
          {order.isError ? <ErrorState error={order.error} title="Could not load the order" /> : null}
          {order.data ? (
            <>
              <Facts order={order.data} />
              <Separator />
              <section className="space-y-2">
                <h3 className="text-sm font-semibold">Items</h3>
                <Items order={order.data} />
              </section>
              <Separator />
              <section className="space-y-2">
                <h3 className="text-sm font-semibold">Shipping address</h3>
                {/* Keyed by order: another order never shows the previous order's address. */}
                <AddressPanel key={order.data.id} tenantId={tenantId} orderId={order.data.id} />
              </section>
            </>
          ) : null}
        </div>
      </SheetContent>
    </Sheet>
  )
}
