import { Badge } from '@/components/ui/badge'
import { statusLabel } from '../format'

const VARIANTS: Record<string, 'default' | 'secondary' | 'destructive' | 'outline'> = {
  SHIPPED: 'default',
  PARTIALLY_SHIPPED: 'secondary',
  UNSHIPPED: 'secondary',
  CANCELLED: 'destructive',
  UNFULFILLABLE: 'destructive',
}

export function OrderStatusBadge({ status }: { status: string }) {
  return (
    <Badge variant={VARIANTS[status] ?? 'outline'} data-status={status}>
      {statusLabel(status)}
    </Badge>
  )
}
