import { Badge } from '@/components/ui/badge'
import type { OrderStatus } from '../api'
import { statusLabel } from '../format'

const VARIANTS: Partial<Record<OrderStatus, 'default' | 'secondary' | 'destructive' | 'outline'>> = {
  SHIPPED: 'default',
  PARTIALLY_SHIPPED: 'secondary',
  UNSHIPPED: 'secondary',
  CANCELLED: 'destructive',
  UNFULFILLABLE: 'destructive',
}

export function OrderStatusBadge({ status }: { status: OrderStatus }) {
  return (
    <Badge variant={VARIANTS[status] ?? 'outline'} data-status={status}>
      {statusLabel(status)}
    </Badge>
  )
}
