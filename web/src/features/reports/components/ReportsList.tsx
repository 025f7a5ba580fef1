import { FileSpreadsheet, Loader2 } from 'lucide-react'

import { EmptyState } from '@/components/common/EmptyState'
import { ErrorState } from '@/components/common/ErrorState'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { flattenReports, isActive, useRefreshRowsWhenDone, useReports } from '../api'
import { useSellerAccounts } from '../sellers'
import { ReportRow } from './ReportRow'

/** The tenant's report requests, newest first, live while any is still at Amazon. */
export function ReportsList({ tenantId }: { tenantId: string }) {
  const list = useReports(tenantId)
  const { marketplaceName } = useSellerAccounts(tenantId)
  const reports = flattenReports(list.data)
  const live = reports.some(isActive)
  useRefreshRowsWhenDone(tenantId, list.data ? reports : null)
  return (
    <Card>
      <CardHeader>
        <CardTitle>Requests</CardTitle>
        <CardDescription>
          {live ? 'Watching Amazon: the status refreshes every 2 seconds.' : 'Every report requested for this tenant, newest first.'}
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-3">
        {list.isPending ? <Skeleton className="h-24 w-full" data-testid="reports-loading" /> : null}
        {list.isError && !list.data ? (
          <ErrorState error={list.error} title="Could not load the reports" onRetry={() => void list.refetch()} />
        ) : null}
        {list.data && reports.length === 0 ? (
          <EmptyState
            icon={FileSpreadsheet}
            title="No reports requested"
            description="Reports you request for this tenant are listed here with their status."
          />
        ) : null}
        {reports.length > 0 ? (
          <ul className="space-y-2" aria-label="Report requests" data-testid="report-list">
            {reports.map((report) => (
              <ReportRow key={report.id} tenantId={tenantId} report={report} marketplaceName={marketplaceName} />
            ))}
          </ul>
        ) : null}
        {list.isError && list.data ? <ErrorState error={list.error} title="Could not refresh the reports" /> : null}
        {list.hasNextPage ? (
          <Button variant="outline" size="sm" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
            {list.isFetchingNextPage ? <Loader2 className="animate-spin" aria-hidden /> : null}
            Load more reports
          </Button>
        ) : null}
      </CardContent>
    </Card>
  )
}
