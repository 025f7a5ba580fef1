import { HeartPulse, Lock } from 'lucide-react'
import { useParams } from 'react-router'

import { EmptyState } from '@/components/common/EmptyState'
import { ErrorState } from '@/components/common/ErrorState'
import { PageHeader } from '@/components/common/PageHeader'
import { PageSkeleton } from '@/components/common/PageSkeleton'
import { useTenantHealth } from '@/features/health/api'
import { ConnectionHealthCard } from '@/features/health/components/ConnectionHealthCard'
import { canManage, useTenant } from '@/features/tenants/api'
import { HealthSummary } from './HealthSummary'

const DESCRIPTION =
  'Per connection: how fresh each dataset is, what failed lately, the Amazon calls spent today, and what needs re-authorization.'

export function HealthPage() {
  const { id: tenantId = '' } = useParams()
  const tenant = useTenant(tenantId)
  const allowed = canManage(tenant.data?.role)
  const health = useTenantHealth(tenantId, allowed)
  const header = <PageHeader title="Health" description={DESCRIPTION} />

  if (tenant.isPending) return <PageSkeleton />
  if (tenant.isError) {
    return <ErrorState error={tenant.error} title="Could not open this tenant" onRetry={() => void tenant.refetch()} />
  }
  if (!allowed) {
    return (
      <>
        {header}
        <EmptyState icon={Lock} title="Owners and admins only" description="Ask an owner of this tenant for the admin role." />
      </>
    )
  }
  if (health.isPending) {
    return (
      <>
        {header}
        <PageSkeleton />
      </>
    )
  }
  if (health.isError) {
    return (
      <>
        {header}
        <ErrorState error={health.error} title="Could not load the tenant's health" onRetry={() => void health.refetch()} />
      </>
    )
  }
  const { connections } = health.data
  return (
    <>
      {header}
      <div className="space-y-6">
        <HealthSummary health={health.data} />
        {connections.length === 0 ? (
          <EmptyState icon={HeartPulse} title="No connections" description="Connect a seller or an Ads account to see its health here." />
        ) : (
          connections.map((connection) => (
            <ConnectionHealthCard key={connection.id} tenantId={tenantId} connection={connection} />
          ))
        )}
      </div>
    </>
  )
}
