import { useState } from 'react'
import { Loader2, Table2 } from 'lucide-react'

import { EmptyState } from '@/components/common/EmptyState'
import { ErrorState } from '@/components/common/ErrorState'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Label } from '@/components/ui/label'
import { Skeleton } from '@/components/ui/skeleton'
import { useReportRows, type RowsFilter, type RowsView } from '../api'
import { salesByDay } from '../chart-data'
import { connectionLabel, SELECT, useSellerAccounts } from '../sellers'
import { SelectField } from './SelectField'
import type { ReportKindOut } from '../types'
import { RowsTable } from './RowsTable'
import { SalesTrafficChart } from './SalesTrafficChart'

export const SALES_AND_TRAFFIC = 'GET_SALES_AND_TRAFFIC_REPORT'

const VIEWS: { value: RowsView; label: string }[] = [
  { value: 'by_date', label: 'By date' },
  { value: 'by_asin', label: 'By ASIN' },
]

function RowsResult({ tenantId, filter, kind }: { tenantId: string; filter: RowsFilter; kind: ReportKindOut }) {
  const rows = useReportRows(tenantId, filter)
  if (rows.isPending) return <Skeleton className="h-48 w-full" data-testid="report-rows-loading" />
  if (rows.isError && !rows.data) {
    return <ErrorState error={rows.error} title="Could not load the rows" onRetry={() => void rows.refetch()} />
  }
  const pages = rows.data?.pages ?? []
  const columns = pages[0]?.columns ?? []
  const all = pages.flatMap((p) => p.rows)
  if (all.length === 0) {
    return (
      <EmptyState
        icon={Table2}
        title={`No ${kind.title} rows yet`}
        description="Rows appear here once a report of this type has been downloaded and loaded."
      />
    )
  }
  const series = filter.reportType === SALES_AND_TRAFFIC && filter.view !== 'by_asin' ? salesByDay(columns, all) : null
  return (
    <div className="space-y-3">
      {series ? <SalesTrafficChart series={series} /> : null}
      <RowsTable title={kind.title} columns={columns} rows={all} />
      <div className="flex items-center gap-3">
        <span className="text-muted-foreground text-xs" data-testid="report-rows-count">
          {all.length.toLocaleString()} rows shown
        </span>
        {rows.hasNextPage ? (
          <Button variant="outline" size="sm" disabled={rows.isFetchingNextPage} onClick={() => void rows.fetchNextPage()}>
            {rows.isFetchingNextPage ? <Loader2 className="animate-spin" aria-hidden /> : null}
            Load more rows
          </Button>
        ) : null}
      </div>
      {rows.isError ? <ErrorState error={rows.error} title="Could not load more rows" /> : null}
    </div>
  )
}

/** The rows parsed from the reports, per catalogue type, filtered by seller account and marketplace. */
export function ReportDataCard({ tenantId, kinds }: { tenantId: string; kinds: ReportKindOut[] }) {
  const { sellers, marketplaceName } = useSellerAccounts(tenantId)
  const withRows = kinds.filter((k) => k.has_rows)
  const [picked, setPicked] = useState({ type: '', connection: '', marketplace: '' })
  const [view, setView] = useState<RowsView>('by_date')
  const kind =
    withRows.find((k) => k.report_type === picked.type) ??
    withRows.find((k) => k.report_type === SALES_AND_TRAFFIC) ??
    withRows[0] ??
    null
  const connection = sellers.find((c) => c.id === picked.connection) ?? null
  const marketplaces = [...new Set((connection ? [connection] : sellers).flatMap((c) => c.marketplaces))]
  const marketplace = marketplaces.includes(picked.marketplace) ? picked.marketplace : ''
  if (!kind) return null
  const filter: RowsFilter = {
    reportType: kind.report_type,
    connectionId: connection?.id ?? '',
    marketplaceId: marketplace,
    view: kind.report_type === SALES_AND_TRAFFIC ? view : null,
  }
  return (
    <Card data-testid="report-data-card">
      <CardHeader>
        <CardTitle>Report data</CardTitle>
        <CardDescription>The rows loaded from the reports into the database, whichever API delivered them.</CardDescription>
      </CardHeader>
      <CardContent className="space-y-4">
        <div className="grid gap-3 md:grid-cols-[repeat(3,minmax(0,1fr))_auto] md:items-end">
          <div className="space-y-1.5">
            <Label htmlFor="data-type">Data type</Label>
            <select id="data-type" className={SELECT} value={kind.report_type} onChange={(e) => setPicked((p) => ({ ...p, type: e.target.value }))}>
              {withRows.map((k) => (
                <option key={k.report_type} value={k.report_type}>
                  {k.title}
                </option>
              ))}
            </select>
          </div>
          <SelectField
            id="data-connection"
            label="Data connection"
            value={connection?.id ?? ''}
            options={sellers.map((c) => ({ value: c.id, label: connectionLabel(c) }))}
            onChange={(value) => setPicked((p) => ({ ...p, connection: value, marketplace: '' }))}
            anyLabel="All connections"
          />
          <SelectField
            id="data-marketplace"
            label="Data marketplace"
            value={marketplace}
            options={marketplaces.map((id) => ({ value: id, label: marketplaceName(id) }))}
            onChange={(value) => setPicked((p) => ({ ...p, marketplace: value }))}
            anyLabel="All marketplaces"
          />
          {filter.view ? (
            <div role="group" aria-label="Sales and traffic view" className="flex gap-1">
              {VIEWS.map((v) => (
                <Button
                  key={v.value}
                  type="button"
                  size="sm"
                  variant={view === v.value ? 'default' : 'outline'}
                  aria-pressed={view === v.value}
                  onClick={() => setView(v.value)}
                >
                  {v.label}
                </Button>
              ))}
            </div>
          ) : null}
        </div>
        <RowsResult key={JSON.stringify(filter)} tenantId={tenantId} filter={filter} kind={kind} />
      </CardContent>
    </Card>
  )
}
