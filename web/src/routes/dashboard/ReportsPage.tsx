import { useParams } from 'react-router'

import { ErrorState } from '@/components/common/ErrorState'
import { PageHeader } from '@/components/common/PageHeader'
import { Skeleton } from '@/components/ui/skeleton'
import { useCatalogue } from '@/features/reports/api'
import { ReportDataCard } from '@/features/reports/components/ReportDataCard'
import { ReportRequestForm } from '@/features/reports/components/ReportRequestForm'
import { ReportsList } from '@/features/reports/components/ReportsList'
import { SchedulesCard } from '@/features/reports/components/SchedulesCard'
import { canManage, useTenant } from '@/features/tenants/api'

export function ReportsPage() {
  const { id: tenantId = '' } = useParams()
  const tenant = useTenant(tenantId)
  const catalogue = useCatalogue(tenantId)
  const manager = canManage(tenant.data?.role)
  const kinds = catalogue.data ?? []
  return (
    <>
      <PageHeader
        title="Reports"
        description="Request Amazon reports, watch their progress, download the documents and read their rows."
      />
      <div className="space-y-4">
        {catalogue.isPending || tenant.isPending ? <Skeleton className="h-40 w-full" data-testid="reports-page-loading" /> : null}
        {tenant.isError ? (
          <ErrorState error={tenant.error} title="Could not open this tenant" onRetry={() => void tenant.refetch()} />
        ) : null}
        {catalogue.isError ? (
          <ErrorState error={catalogue.error} title="Could not load the report types" onRetry={() => void catalogue.refetch()} />
        ) : null}
        {catalogue.data && tenant.data && manager ? (
          <ReportRequestForm tenantId={tenantId} kinds={kinds.filter((k) => k.requestable)} />
        ) : null}
        {tenant.data && !manager ? (
          <p className="text-muted-foreground text-sm" data-testid="reports-read-only">
            You can follow and download this tenant&apos;s reports; owners and admins request and schedule them.
          </p>
        ) : null}
        <ReportsList tenantId={tenantId} />
        {catalogue.data && tenant.data ? <SchedulesCard tenantId={tenantId} kinds={kinds} canManage={manager} /> : null}
        {catalogue.data ? <ReportDataCard tenantId={tenantId} kinds={kinds} /> : null}
      </div>
    </>
  )
}
