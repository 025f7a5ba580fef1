import { Loader2, Upload } from 'lucide-react'

import { EmptyState } from '@/components/common/EmptyState'
import { ErrorState } from '@/components/common/ErrorState'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { formatDateTime } from '@/features/reports/format'
import { useSellerAccounts } from '@/features/reports/sellers'
import { cn } from '@/lib/utils'
import { flattenFeeds, isActive, useFeeds } from '../api'
import { count, feedTitle, progressOf, STATUS_VARIANT, statusLabel } from '../format'
import type { FeedOut } from '../types'

function FeedItem({ feed, selected, marketplaceName, onSelect }: { feed: FeedOut; selected: boolean; marketplaceName: (id: string) => string; onSelect: () => void }) {
  return (
    <li data-testid="feed-row" data-feed-id={feed.id} data-status={feed.status}>
      <button
        type="button"
        aria-current={selected || undefined}
        className={cn('hover:bg-muted/60 w-full space-y-1 rounded-lg border p-3 text-left', selected && 'border-primary bg-muted/40')}
        onClick={onSelect}
      >
        <span className="flex flex-wrap items-center gap-2">
          <span className="font-medium">{feedTitle(feed)}</span>
          <Badge variant={STATUS_VARIANT[feed.status]} data-testid="feed-status">
            {statusLabel(feed.status)}
          </Badge>
          <span className="text-muted-foreground ml-auto text-xs">{formatDateTime(feed.created_at)}</span>
        </span>
        <span className="text-muted-foreground block text-xs">
          {[feed.feed_type, ...feed.marketplace_ids.map(marketplaceName)].filter(Boolean).join(' · ')}
          {feed.message_count !== null ? ` · ${count(feed.message_count, 'message')}` : null}
          {feed.summary ? ` · ${count(feed.summary.errors, 'error')}` : null}
          {isActive(feed) ? ` · ${progressOf(feed).label}` : null}
        </span>
      </button>
    </li>
  )
}

/** The tenant's feeds, newest first; picking one shows its status and results. */
export function FeedsList({ tenantId, selectedId, onSelect }: { tenantId: string; selectedId: string | null; onSelect: (id: string) => void }) {
  const list = useFeeds(tenantId)
  const { marketplaceName } = useSellerAccounts(tenantId)
  const feeds = flattenFeeds(list.data)
  return (
    <Card>
      <CardHeader>
        <CardTitle>Feeds</CardTitle>
        <CardDescription>Every feed sent for this tenant, newest first. Pick one to see its status and per-SKU results.</CardDescription>
      </CardHeader>
      <CardContent className="space-y-3">
        {list.isPending ? <Skeleton className="h-24 w-full" data-testid="feeds-loading" /> : null}
        {list.isError && !list.data ? (
          <ErrorState error={list.error} title="Could not load the feeds" onRetry={() => void list.refetch()} />
        ) : null}
        {list.data && feeds.length === 0 ? (
          <EmptyState icon={Upload} title="No feeds submitted" description="Feeds you submit for this tenant are listed here with their status." />
        ) : null}
        {feeds.length > 0 ? (
          <ul className="space-y-2" aria-label="Feeds" data-testid="feed-list">
            {feeds.map((feed) => (
              <FeedItem
                key={feed.id}
                feed={feed}
                selected={feed.id === selectedId}
                marketplaceName={marketplaceName}
                onSelect={() => onSelect(feed.id)}
              />
            ))}
          </ul>
        ) : null}
        {list.isError && list.data ? <ErrorState error={list.error} title="Could not refresh the feeds" /> : null}
        {list.hasNextPage ? (
          <Button variant="outline" size="sm" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
            {list.isFetchingNextPage ? <Loader2 className="animate-spin" aria-hidden /> : null}
            Load more feeds
          </Button>
        ) : null}
      </CardContent>
    </Card>
  )
}
