import { useParams } from 'react-router'

import { ErrorState } from '@/components/common/ErrorState'
import { PageHeader } from '@/components/common/PageHeader'
import { Skeleton } from '@/components/ui/skeleton'
import { BulkUpdateCard } from '@/features/feeds/components/BulkUpdateCard'
import { FeedDetail } from '@/features/feeds/components/FeedDetail'
import { FeedsList } from '@/features/feeds/components/FeedsList'
import { RawFeedCard } from '@/features/feeds/components/RawFeedCard'
import type { FeedOut } from '@/features/feeds/types'
import { canManage, useTenant } from '@/features/tenants/api'
import { usePatchableSearchParams } from '@/lib/search-params'

export function FeedsPage() {
  const { id: tenantId = '' } = useParams()
  const tenant = useTenant(tenantId)
  const manager = canManage(tenant.data?.role)
  // The feed on show lives in the address (?feed=...): a reload or a shared link opens it again.
  const [params, patch] = usePatchableSearchParams()
  const selected = params.get('feed')
  const select = (feedId: string | null) => patch({ feed: feedId ?? '' })
  // A bulk update beyond Amazon's 25,000 changes per feed is several feeds: the first is shown, the rest are listed.
  const onBulkSubmitted = (feeds: FeedOut[]) => {
    if (feeds[0]) select(feeds[0].id)
  }
  const onSubmitted = (feed: FeedOut) => select(feed.id)
  return (
    <>
      <PageHeader
        title="Feeds"
        description="Change prices and quantities in bulk, or send any feed file, then follow Amazon's processing SKU by SKU."
      />
      <div className="space-y-4">
        {tenant.isPending ? <Skeleton className="h-40 w-full" data-testid="feeds-page-loading" /> : null}
        {tenant.isError ? (
          <ErrorState error={tenant.error} title="Could not open this tenant" onRetry={() => void tenant.refetch()} />
        ) : null}
        {tenant.data && manager ? (
          <>
            <BulkUpdateCard tenantId={tenantId} onSubmitted={onBulkSubmitted} />
            <RawFeedCard tenantId={tenantId} onSubmitted={onSubmitted} />
          </>
        ) : null}
        {tenant.data && !manager ? (
          <p className="text-muted-foreground text-sm" data-testid="feeds-read-only">
            You can follow this tenant&apos;s feeds and read their results; owners and admins submit them.
          </p>
        ) : null}
        {selected ? <FeedDetail key={selected} tenantId={tenantId} feedId={selected} onClose={() => select(null)} /> : null}
        <FeedsList tenantId={tenantId} selectedId={selected} onSelect={select} />
      </div>
    </>
  )
}
