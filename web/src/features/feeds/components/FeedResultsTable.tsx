import { useState } from 'react'
import { ChevronLeft, ChevronRight, Loader2 } from 'lucide-react'

import { ErrorState } from '@/components/common/ErrorState'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { RESULTS_LIMIT, useFeedResults } from '../api'
import { RESULT_LABELS } from '../format'
import type { FeedResultOut, FeedResultStatus } from '../types'

const RESULT_VARIANT: Record<FeedResultStatus, 'outline' | 'secondary' | 'destructive'> = {
  accepted: 'outline',
  warning: 'secondary',
  error: 'destructive',
}

function Issues({ result }: { result: FeedResultOut }) {
  if (result.issues.length === 0) return <span className="text-muted-foreground">—</span>
  return (
    <ul className="space-y-1">
      {result.issues.map((issue, i) => (
        <li key={i} data-testid="feed-result-issue">
          <span className="font-mono font-medium">{issue.code}</span> {issue.message}
          {issue.attribute_names?.length ? <span className="text-muted-foreground"> ({issue.attribute_names.join(', ')})</span> : null}
        </li>
      ))}
    </ul>
  )
}

/** Amazon's verdict per message (SKU): errors first, then warnings, then accepted; page by page. */
export function FeedResultsTable({ tenantId, feedId }: { tenantId: string; feedId: string }) {
  const [errorsOnly, setErrorsOnly] = useState(false)
  // The cursors of the pages before this one (keyset paging has no page numbers).
  const [trail, setTrail] = useState<(string | null)[]>([null])
  const cursor = trail[trail.length - 1] ?? null
  const results = useFeedResults(tenantId, feedId, errorsOnly, cursor, true)
  const page = results.data
  const counts = page?.counts
  const total = counts ? (errorsOnly ? counts.error : counts.accepted + counts.warning + counts.error) : 0
  const first = (trail.length - 1) * RESULTS_LIMIT
  // While another page loads, the last one stays on screen, dimmed, and says so instead of a range.
  const stale = results.isPlaceholderData

  return (
    <section className="space-y-3" aria-label="Per-SKU results" data-testid="feed-results">
      <div className="flex flex-wrap items-center gap-3">
        <h3 className="text-sm font-semibold">Per-SKU results</h3>
        {counts ? (
          <span className="text-muted-foreground text-xs" data-testid="feed-result-counts">
            {counts.accepted.toLocaleString()} accepted · {counts.warning.toLocaleString()} with warnings · {counts.error.toLocaleString()} with errors
          </span>
        ) : null}
        <label className="ml-auto flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={errorsOnly}
            onChange={(e) => {
              setErrorsOnly(e.target.checked)
              setTrail([null])
            }}
          />
          Errors only
        </label>
      </div>
      {results.isPending ? <Skeleton className="h-32 w-full" data-testid="feed-results-loading" /> : null}
      {results.isError && !page ? <ErrorState error={results.error} title="Could not load the results" onRetry={() => void results.refetch()} /> : null}
      {page && page.items.length === 0 ? (
        <p className="text-muted-foreground text-sm" data-testid="feed-results-empty">
          {errorsOnly ? 'No SKU was refused.' : 'No per-SKU results in the processing report.'}
        </p>
      ) : null}
      {page && page.items.length > 0 ? (
        <Table aria-label="Results" aria-busy={stale || undefined} className={stale ? 'opacity-60' : undefined} data-testid="feed-result-table">
          <TableHeader>
            <TableRow>
              <TableHead className="w-20">Message</TableHead>
              <TableHead>SKU</TableHead>
              <TableHead className="w-28">Result</TableHead>
              <TableHead>Amazon says</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {page.items.map((r) => (
              <TableRow key={r.message_id} data-testid="feed-result-row" data-sku={r.sku ?? ''} data-status={r.status}>
                <TableCell className="font-mono text-xs">{r.message_id}</TableCell>
                <TableCell className="font-mono text-xs">{r.sku ?? '—'}</TableCell>
                <TableCell>
                  <Badge variant={RESULT_VARIANT[r.status]} className={r.status === 'accepted' ? 'text-emerald-700 dark:text-emerald-400' : undefined}>{RESULT_LABELS[r.status]}</Badge>
                </TableCell>
                <TableCell className="text-xs whitespace-normal">
                  <Issues result={r} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
      {page && page.items.length > 0 ? (
        <div className="flex items-center gap-2">
          <span className="text-muted-foreground text-xs" data-testid="feed-results-range">
            {stale ? 'Loading…' : `${(first + 1).toLocaleString()}–${(first + page.items.length).toLocaleString()} of ${total.toLocaleString()}`}
          </span>
          {results.isFetching ? <Loader2 className="size-4 animate-spin" aria-hidden /> : null}
          <Button variant="outline" size="sm" className="ml-auto" disabled={trail.length === 1 || results.isFetching} onClick={() => setTrail((t) => t.slice(0, -1))}>
            <ChevronLeft aria-hidden />
            Previous
          </Button>
          <Button
            variant="outline"
            size="sm"
            disabled={!page.next_cursor || results.isFetching}
            onClick={() => setTrail((t) => [...t, page.next_cursor])}
          >
            Next
            <ChevronRight aria-hidden />
          </Button>
        </div>
      ) : null}
      {results.isError && page ? <ErrorState error={results.error} title="Could not load this page" /> : null}
    </section>
  )
}
