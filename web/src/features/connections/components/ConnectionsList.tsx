import { Plug } from 'lucide-react'

import { EmptyState } from '@/components/common/EmptyState'
import { ErrorState } from '@/components/common/ErrorState'
import { Skeleton } from '@/components/ui/skeleton'
import { useConnections, useMarketplaces } from '../api'
import { ConnectionCard } from './ConnectionCard'

export function ConnectionsList({ tenantId, canManage }: { tenantId: string; canManage: boolean }) {
  const connections = useConnections(tenantId)
  const marketplaces = useMarketplaces()
  const countries = new Map((marketplaces.data ?? []).map((m) => [m.id, m.country_code]))
  const countryOf = (id: string) => countries.get(id) ?? id

  if (connections.isPending) return <Skeleton className="h-40 w-full" role="status" aria-label="Loading connections" />
  if (connections.isError) {
    return (
      <ErrorState
        error={connections.error}
        title="Could not load the connections"
        onRetry={() => void connections.refetch()}
      />
    )
  }
  if (connections.data.length === 0) {
    return (
      <EmptyState icon={Plug} title="No accounts connected" description="Connect an account above to start syncing." />
    )
  }
  return (
    <div className="space-y-4" aria-label="Connected accounts">
      {connections.data.map((connection) => (
        <ConnectionCard
          key={connection.id}
          tenantId={tenantId}
          connection={connection}
          all={connections.data}
          countryOf={countryOf}
          canManage={canManage}
        />
      ))}
    </div>
  )
}
