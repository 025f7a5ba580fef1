import { useParams } from 'react-router'

import { ErrorState } from '@/components/common/ErrorState'
import { PageHeader } from '@/components/common/PageHeader'
import { PageSkeleton } from '@/components/common/PageSkeleton'
import { ConnectAdsCard } from '@/features/connections/components/ConnectAdsCard'
import { ConnectSellerCard } from '@/features/connections/components/ConnectSellerCard'
import { ConnectionsList } from '@/features/connections/components/ConnectionsList'
import { ReturnBanner } from '@/features/connections/components/ReturnBanner'
import { canManage, useTenant } from '@/features/tenants/api'

export function AmazonIntegrationPage() {
  const { id = '' } = useParams()
  const tenant = useTenant(id)

  if (tenant.isPending) return <PageSkeleton />
  if (tenant.isError) {
    return <ErrorState error={tenant.error} title="Could not open this tenant" onRetry={() => void tenant.refetch()} />
  }
  const manager = canManage(tenant.data.role)
  return (
    <>
      <PageHeader
        title="Amazon integration"
        description={`Authorize seller accounts and advertising profiles for ${tenant.data.name}.`}
      />
      <ReturnBanner />
      <div className="grid gap-4 md:grid-cols-2">
        <ConnectSellerCard tenantId={id} canConnect={manager} />
        <ConnectAdsCard tenantId={id} canConnect={manager} />
      </div>
      <section className="mt-8 space-y-4">
        <div>
          <h2 className="text-lg font-semibold">Connected accounts</h2>
          <p className="text-muted-foreground text-sm">Each account&apos;s region, marketplaces and health.</p>
        </div>
        <ConnectionsList tenantId={id} canManage={manager} />
      </section>
    </>
  )
}
