import { Badge } from '@/components/ui/badge'
import type { Role } from '../api'

const VARIANT: Record<Role, 'default' | 'secondary' | 'outline'> = {
  owner: 'default',
  admin: 'secondary',
  viewer: 'outline',
}

export function RoleBadge({ role }: { role: Role }) {
  return (
    <Badge variant={VARIANT[role]} className="capitalize">
      {role}
    </Badge>
  )
}
