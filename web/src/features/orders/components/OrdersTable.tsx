import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import type { OrderSummary } from '../api'
import { formatDateTime, formatMoney } from '../format'
import { OrderStatusBadge } from './OrderStatusBadge'

interface Props {
  orders: OrderSummary[]
  onOpen: (orderId: number) => void
  dimmed?: boolean
}

/** One page of orders; a row opens the order's detail. */
export function OrdersTable({ orders, onOpen, dimmed = false }: Props) {
  return (
    <div className={dimmed ? 'opacity-60 transition-opacity' : 'transition-opacity'}>
      <Table aria-label="Orders">
        <TableHeader>
          <TableRow>
            <TableHead>Order</TableHead>
            <TableHead>Purchased</TableHead>
            <TableHead>Status</TableHead>
            <TableHead>Marketplace</TableHead>
            <TableHead>Channel</TableHead>
            <TableHead>Ship to</TableHead>
            <TableHead className="text-right">Total</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {orders.map((order) => (
            <TableRow
              key={order.id}
              data-order-id={order.amazon_order_id}
              tabIndex={0}
              className="cursor-pointer"
              onClick={() => onOpen(order.id)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault()
                  onOpen(order.id)
                }
              }}
            >
              <TableCell className="font-mono text-xs">{order.amazon_order_id}</TableCell>
              <TableCell className="text-muted-foreground text-xs whitespace-nowrap">
                {formatDateTime(order.purchase_date)}
              </TableCell>
              <TableCell>
                <OrderStatusBadge status={order.order_status} />
              </TableCell>
              <TableCell className="text-xs">{order.sales_channel ?? order.marketplace_id}</TableCell>
              <TableCell className="text-xs">{order.fulfillment_channel ?? '—'}</TableCell>
              <TableCell className="text-muted-foreground text-xs">
                {[order.ship_city, order.ship_country_code].filter(Boolean).join(', ') || '—'}
              </TableCell>
              <TableCell className="text-right tabular-nums">{formatMoney(order.order_total, order.currency)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  )
}
