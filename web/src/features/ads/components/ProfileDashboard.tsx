import { ErrorState } from '@/components/common/ErrorState'
import { Skeleton } from '@/components/ui/skeleton'
import { cn } from '@/lib/utils'
import { isBackfilling, useAdsTimeseries, useFiguresFollowSync } from '../api'
import type { DateRange } from '../range'
import type { AdsProfile, AdsQuery, TableSort } from '../types'
import { hasAdData } from '../view'
import { AcosTacosChart } from './AcosTacosChart'
import { BackfillState } from './BackfillState'
import { HeadlineCards } from './HeadlineCards'
import { NoData } from './NoData'
import { ProductsTable } from './ProductsTable'
import { SpendSalesChart } from './SpendSalesChart'

function Loading() {
  return (
    <div className="space-y-4" role="status" aria-label="Loading the advertising figures" data-testid="ads-loading">
      <div className="grid grid-cols-2 gap-3 sm:gap-4 xl:grid-cols-4">
        {Array.from({ length: 4 }, (_, i) => (
          <Skeleton key={i} className="h-28 rounded-xl" />
        ))}
      </div>
      <div className="grid gap-4 lg:grid-cols-2">
        <Skeleton className="h-80 rounded-xl" />
        <Skeleton className="h-80 rounded-xl" />
      </div>
    </div>
  )
}

/** One profile over one range: its state, headline figures, charts and per-product table. */
export function ProfileDashboard({
  tenantId,
  profile,
  readAt,
  query,
  sort,
  onSort,
  onShowRange,
}: {
  tenantId: string
  profile: AdsProfile
  /** When the profile's sync state was read. */
  readAt: number
  query: AdsQuery
  sort: TableSort
  onSort: (next: TableSort) => void
  onShowRange: (range: DateRange) => void
}) {
  const live = isBackfilling(profile)
  useFiguresFollowSync(tenantId, profile)
  const series = useAdsTimeseries(tenantId, query, live)
  const linked = profile.linked_sp_connection_id !== null
  const data = series.data
  return (
    <div className="space-y-4" data-testid="ads-dashboard" data-profile-id={profile.profile_id}>
      <BackfillState sync={profile.sync} now={readAt} />
      {series.isPending ? <Loading /> : null}
      {series.isError && !data ? (
        <ErrorState error={series.error} title="Could not load the advertising figures" onRetry={() => void series.refetch()} />
      ) : null}
      {data && !hasAdData(data.points) ? <NoData sync={profile.sync} range={query} onShowData={onShowRange} /> : null}
      {data && hasAdData(data.points) ? (
        <div className={cn('space-y-4 transition-opacity', series.isPlaceholderData && 'opacity-60')}>
          <HeadlineCards series={data} linked={linked} />
          <div className="grid gap-4 lg:grid-cols-2">
            <SpendSalesChart series={data} linked={linked} />
            <AcosTacosChart series={data} linked={linked} />
          </div>
          <ProductsTable tenantId={tenantId} query={{ ...query, group: 'asin', ...sort }} live={live} onSort={onSort} />
        </div>
      ) : null}
    </div>
  )
}
