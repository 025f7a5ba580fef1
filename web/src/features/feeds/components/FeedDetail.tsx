import { Download, X } from 'lucide-react'

import { ErrorState } from '@/components/common/ErrorState'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { formatBytes, formatDateTime } from '@/features/reports/format'
import { inputUrl, reportUrl, useFeedStatus } from '../api'
import { count, feedTitle, STATUS_VARIANT, statusLabel } from '../format'
import type { FeedOut, FeedSummary } from '../types'
import { FeedProgress } from './FeedProgress'
import { FeedResultsTable } from './FeedResultsTable'

const SUMMARY: { key: keyof FeedSummary; label: string }[] = [
  { key: 'messages_processed', label: 'Processed' },
  { key: 'messages_accepted', label: 'Accepted' },
  { key: 'messages_invalid', label: 'Invalid' },
  { key: 'errors', label: 'Errors' },
  { key: 'warnings', label: 'Warnings' },
]

function Summary({ summary }: { summary: FeedSummary }) {
  return (
    <dl className="grid grid-cols-2 gap-2 sm:grid-cols-5" data-testid="feed-summary">
      {SUMMARY.map(({ key, label }) => (
        <div key={key} className="rounded-lg border p-2" data-summary={key}>
          <dt className="text-muted-foreground text-xs">{label}</dt>
          <dd className="text-lg font-semibold tabular-nums">{summary[key].toLocaleString()}</dd>
        </div>
      ))}
    </dl>
  )
}

function Downloads({ tenantId, feed }: { tenantId: string; feed: FeedOut }) {
  if (feed.input_size_bytes === null && !feed.has_report) return null
  return (
    <div className="flex flex-wrap items-center gap-2">
      {feed.input_size_bytes !== null ? (
        <Button asChild size="sm" variant="outline">
          <a href={inputUrl(tenantId, feed.id)} download data-testid="feed-input-download">
            <Download aria-hidden />
            Input file ({formatBytes(feed.input_size_bytes)})
          </a>
        </Button>
      ) : null}
      {feed.has_report ? (
        <Button asChild size="sm" variant="outline">
          <a href={reportUrl(tenantId, feed.id)} download data-testid="feed-report-download">
            <Download aria-hidden />
            Processing report
          </a>
        </Button>
      ) : null}
    </div>
  )
}

function Failure({ feed }: { feed: FeedOut }) {
  const fallback =
    feed.status === 'cancelled' ? 'Amazon cancelled the feed.' : feed.status === 'fatal' ? 'Amazon could not process the feed.' : 'The feed failed.'
  return (
    <p className="text-destructive text-sm" data-testid="feed-error">
      {feed.error ?? fallback}
    </p>
  )
}

/** One feed: where it stands (live until final), Amazon's summary, the files, and the per-SKU results. */
export function FeedDetail({ tenantId, feedId, onClose }: { tenantId: string; feedId: string; onClose: () => void }) {
  const status = useFeedStatus(tenantId, feedId)
  const feed = status.data
  return (
    <Card data-testid="feed-detail" data-feed-id={feedId} data-status={feed?.status ?? ''}>
      <CardHeader>
        <div className="flex flex-wrap items-center gap-2">
          <CardTitle>{feed ? feedTitle(feed) : 'Feed'}</CardTitle>
          {feed ? (
            <Badge variant={STATUS_VARIANT[feed.status]} data-testid="feed-detail-status">
              {statusLabel(feed.status)}
            </Badge>
          ) : null}
          <Button variant="ghost" size="icon" className="ml-auto" aria-label="Close the feed" onClick={onClose}>
            <X aria-hidden />
          </Button>
        </div>
        {feed ? (
          <CardDescription>
            <span className="font-mono">{feed.feed_type || 'no feed type yet'}</span>
            {feed.message_count !== null ? ` · ${count(feed.message_count, 'message')}` : null} · sent{' '}
            {formatDateTime(feed.created_at)}
            {feed.amazon_feed_id ? <span className="font-mono"> · Amazon feed #{feed.amazon_feed_id}</span> : null}
            {feed.finished_at ? ` · finished ${formatDateTime(feed.finished_at)}` : null}
          </CardDescription>
        ) : null}
      </CardHeader>
      <CardContent className="space-y-4">
        {status.isPending ? <Skeleton className="h-20 w-full" /> : null}
        {status.isError && !feed ? <ErrorState error={status.error} title="Could not load the feed" onRetry={() => void status.refetch()} /> : null}
        {feed ? <FeedProgress feed={feed} /> : null}
        {feed && ['cancelled', 'fatal', 'error'].includes(feed.status) ? <Failure feed={feed} /> : null}
        {feed?.summary ? <Summary summary={feed.summary} /> : null}
        {feed ? <Downloads tenantId={tenantId} feed={feed} /> : null}
        {feed && (feed.status === 'done' || (feed.status === 'fatal' && feed.has_report)) ? (
          <FeedResultsTable key={feed.id} tenantId={tenantId} feedId={feed.id} />
        ) : null}
        {status.isError && feed ? <ErrorState error={status.error} title="Could not refresh the feed" /> : null}
      </CardContent>
    </Card>
  )
}
