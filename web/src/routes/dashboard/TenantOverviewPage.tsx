import { AlertTriangle, Megaphone, Plug, Users } from 'lucide-react'
import { Link, useParams } from 'react-router'

import { ErrorState } from '@/components/common/ErrorState'
import { PageHeader } from '@/components/common/PageHeader'
import { PageSkeleton } from '@/components/common/PageSkeleton'
import { Button } from '@/components/ui/button'
import { AuditLogCard } from '@/features/audit/components/AuditLogCard'
import { useConnections } from '@/features/connections/api'
import { SyncCard } from '@/features/sync/components/SyncCard'
import { canManage, useMembers, useTenant } from '@/features/tenants/api'
import { FeatureFlagsCard } from '@/features/tenants/components/FeatureFlagsCard'
import { MembersCard } from '@/features/tenants/components/MembersCard'
import { RoleBadge } from '@/features/tenants/components/RoleBadge'
import { StatCard } from './StatCard'

export function TenantOverviewPage() {
  const { id = '' } = useParams()
  const tenant = useTenant(id)
  const connections = useConnections(id, { live: true })
  const members = useMembers(id)

  if (tenant.isPending) return <PageSkeleton />
  if (tenant.isError) {
    return <ErrorState error={tenant.error} title="Could not open this tenant" onRetry={() => void tenant.refetch()} />
  }
  const list = connections.data ?? []
  const count = (predicate: (c: (typeof list)[number]) => boolean) =>
    connections.data ? String(list.filter(predicate).length) : '—'

  return (
    <>
      <PageHeader
        title={tenant.data.name}
        description="Overview, members, feature flags and the audit log of this tenant."
        actions={
          <>
            <RoleBadge role={tenant.data.role} />
            <Button asChild variant="outline">
              <Link to={`/dashboard/tenants/${id}/integrations/amazon`}>
                <Plug aria-hidden />
                Amazon integration
              </Link>
            </Button>
          </>
        }
      />
      <div className="grid grid-cols-2 gap-3 sm:gap-4 xl:grid-cols-4">
        <StatCard
          label="Seller accounts"
          value={count((c) => c.provider === 'amazon_sp' && c.status !== 'revoked')}
          hint="Connected through SP-API"
          icon={Plug}
        />
        <StatCard
          label="Ads accounts"
          value={count((c) => c.provider === 'amazon_ads' && c.status !== 'revoked')}
          hint="Login with Amazon"
          icon={Megaphone}
        />
        <StatCard
          label="Need attention"
          value={count((c) => c.status === 'needs_reauth')}
          hint="Waiting to be reconnected"
          icon={AlertTriangle}
        />
        <StatCard label="Members" value={members.data ? String(members.data.length) : '—'} hint="Owners, admins, viewers" icon={Users} />
      </div>
      <div className="mt-6">
        <SyncCard tenantId={id} />
      </div>
      <div className="mt-6 grid gap-4 lg:grid-cols-2">
        <MembersCard tenantId={id} myRole={tenant.data.role} />
        <FeatureFlagsCard tenantId={id} canEdit={canManage(tenant.data.role)} />
      </div>
      <div className="mt-6">
        <AuditLogCard tenantId={id} />
      </div>
    </>
  )
}
