import { Loader2 } from 'lucide-react'
import type { ReactNode } from 'react'

import { Button } from '@/components/ui/button'
import { Skeleton } from '@/components/ui/skeleton'
import { TableCell, TableRow } from '@/components/ui/table'
import { errorMessage } from '@/lib/api-error'
import { DRILL_LIMIT, useAdsProducts } from '../api'
import type { ProductsQuery } from '../types'
import { COLUMNS } from '../columns'
import { MetricCells } from './MetricCells'

const SPAN = COLUMNS.length + 1

function Note({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <TableRow className="bg-muted/30 hover:bg-muted/30">
      <TableCell colSpan={SPAN} className="text-muted-foreground py-3 pl-10 text-xs" data-testid={testId}>
        {children}
      </TableCell>
    </TableRow>
  )
}

/** The campaigns and ad groups that advertise one product, with the same figures, under its row. */
export function ProductDrillDown({
  tenantId,
  query,
  asin,
  live,
}: {
  tenantId: string
  query: ProductsQuery
  asin: string
  live: boolean
}) {
  const groups = useAdsProducts(tenantId, { ...query, group: 'ad_group', asin }, { live, limit: DRILL_LIMIT })
  if (groups.isPending) {
    return (
      <Note testId="ads-drill-loading">
        <Skeleton className="h-5 w-64" />
      </Note>
    )
  }
  if (groups.isError && !groups.data) {
    return <Note testId="ads-drill-error">Could not load the campaigns of {asin}: {errorMessage(groups.error)}</Note>
  }
  const pages = groups.data?.pages ?? []
  const currency = pages[0]?.currency_code ?? null
  const rows = pages.flatMap((p) => p.items)
  if (rows.length === 0) return <Note>No campaign advertised {asin} in this range.</Note>
  return (
    <>
      {rows.map((row) => (
        <TableRow
          key={`${row.campaign_id ?? ''}/${row.ad_group_id ?? ''}`}
          className="bg-muted/30 hover:bg-muted/50"
          data-testid="ads-drill-row"
          data-asin={asin}
          data-campaign-id={row.campaign_id ?? ''}
          data-ad-group-id={row.ad_group_id ?? ''}
        >
          <TableCell className="max-w-72 pl-10">
            <p className="truncate text-xs font-medium" title={row.campaign_name ?? undefined}>
              {row.campaign_name ?? row.campaign_id ?? '—'}
            </p>
            <p className="text-muted-foreground truncate text-xs" title={row.ad_group_name ?? undefined}>
              {row.ad_group_name ?? row.ad_group_id ?? '—'}
            </p>
          </TableCell>
          <MetricCells row={row} currency={currency} />
        </TableRow>
      ))}
      {groups.hasNextPage ? (
        <Note>
          <Button variant="outline" size="sm" disabled={groups.isFetchingNextPage} onClick={() => void groups.fetchNextPage()}>
            {groups.isFetchingNextPage ? <Loader2 className="animate-spin" aria-hidden /> : null}
            More ad groups of {asin}
          </Button>
        </Note>
      ) : null}
    </>
  )
}
