import { Badge } from '@/components/ui/badge'
import type { Connection } from '../api'

const LABELS: Record<Connection['status'], string> = {
  active: 'Active',
  needs_reauth: 'Needs reconnect',
  revoked: 'Disconnected',
}

export function StatusBadge({ status }: { status: Connection['status'] }) {
  const variant = status === 'active' ? 'default' : status === 'needs_reauth' ? 'destructive' : 'outline'
  return <Badge variant={variant}>{LABELS[status]}</Badge>
}
