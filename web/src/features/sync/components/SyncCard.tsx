import { RefreshCw } from 'lucide-react'

import { ErrorState } from '@/components/common/ErrorState'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Progress } from '@/components/ui/progress'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { canManage, useTenant } from '@/features/tenants/api'
import {
  ordersChanged,
  phaseLabel,
  shortDuration,
  useRunDelta,
  useSyncStatus,
  type LiveUpdates,
  type MarketplaceSync,
  type SyncJob,
} from '../api'

// How the backfill reads now; its ETA is the planned finish of both paths together.
const BACKFILL_PATHS: Record<string, string> = {
  report: 'order reports',
  api: 'Orders API',
  'report+api': 'order reports and Orders API at once',
}

function at(value: string | null | undefined): string {
  return value ? new Date(value).toLocaleString() : '—'
}

function Fact({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-muted-foreground text-xs">{label}</dt>
      <dd className="truncate text-sm tabular-nums" data-testid={testId}>
        {value}
      </dd>
    </div>
  )
}

/** Days of history a backfill covers (an Ads profile's local days). */
function historyDays(row: MarketplaceSync): number {
  const { backfill_from: from, backfill_to: to } = row.backfill
  return from && to ? Math.round((new Date(to).getTime() - new Date(from).getTime()) / 86_400_000) : 0
}

function MarketplaceRow({
  row,
  now,
  canRun,
  onRun,
  running,
}: {
  row: MarketplaceSync
  /** The server's time of the status (keeps rendering pure). */
  now: number
  canRun: boolean
  onRun: () => void
  running: boolean
}) {
  const pct = Math.round(row.backfill.progress * 100)
  const last = row.delta.last_job
  const eta = row.backfill.eta ? shortDuration(new Date(row.backfill.eta).getTime() - now) : null
  const next = row.delta.next_run_at ? new Date(row.delta.next_run_at).getTime() - now : null
  const orders = row.entity === 'orders'
  const unit = orders ? 'orders' : 'rows'
  return (
    <div className="space-y-3 rounded-lg border p-3" data-testid="sync-marketplace" data-phase={row.phase}>
      <div className="flex flex-wrap items-center gap-2">
        <span className="text-sm font-medium" data-testid="sync-scope">
          {orders ? row.scope_label : `${row.label} · ${row.scope_label}`}
        </span>
        <span className="text-muted-foreground font-mono text-xs">{row.marketplace_id}</span>
        <Badge variant={row.phase === 'error' ? 'destructive' : row.phase === 'up_to_date' ? 'default' : 'secondary'}>
          {phaseLabel(row.phase)}
        </Badge>
        <span className="text-muted-foreground text-xs" data-testid="sync-orders">
          {row.orders.toLocaleString()} {unit}
        </span>
        {canRun ? (
          <Button size="sm" variant="outline" className="ml-auto" disabled={running} onClick={onRun}>
            <RefreshCw aria-hidden />
            Run delta now
          </Button>
        ) : null}
      </div>
      {row.phase === 'backfill' || row.phase === 'waiting' ? (
        <div className="space-y-1">
          <Progress value={pct} aria-label={`Backfill of ${row.scope_label}`} />
          <p className="text-muted-foreground text-xs" data-testid="sync-backfill">
            {orders
              ? `24-month backfill ${pct}% (${BACKFILL_PATHS[row.backfill.path ?? 'report'] ?? 'order reports'})`
              : `${historyDays(row)}-day backfill ${pct}% (reports)`}{' '}
            · {row.orders.toLocaleString()} {unit} so far
            {eta ? ` · about ${eta} left` : row.phase === 'backfill' ? ' · estimating the finish' : ''}
          </p>
        </div>
      ) : null}
      {row.last_error ? <p className="text-destructive text-xs">{row.last_error}</p> : null}
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Fact label="Last delta" value={at(row.delta.last_run_at)} />
        <Fact
          label="Next delta"
          value={next === null ? 'after the backfill' : next <= 0 ? 'due now' : `in ${shortDuration(next)}`}
        />
        <Fact label="Watermark" value={at(row.delta.watermark)} testId="sync-watermark" />
        <Fact label="Interval" value={`${row.delta.interval_minutes} min`} />
        <Fact label={`${orders ? 'Orders' : 'Rows'} changed`} value={last ? String(ordersChanged(last)) : '—'} />
        <Fact label="429s" value={last ? String(last.throttled_429) : '—'} />
        <Fact label="Duration" value={last?.duration_s != null ? `${last.duration_s.toFixed(1)} s` : '—'} />
        <Fact label="Request ids" value={last?.request_ids.slice(-2).join(', ') || '—'} />
      </dl>
    </div>
  )
}

/** Whether Amazon's ORDER_CHANGE notifications reach us: then a change shows up in seconds. */
function LiveUpdatesLine({ subscriptions, interval }: { subscriptions: LiveUpdates[]; interval: number | null }) {
  const active = subscriptions.filter((s) => s.notification_type === 'ORDER_CHANGE' && s.status === 'active')
  const failed = subscriptions.find((s) => s.status === 'error')
  return (
    <div className="flex flex-wrap items-center gap-2 text-xs" data-testid="sync-live-updates">
      <Badge variant={active.length > 0 ? 'default' : 'secondary'}>
        {active.length > 0 ? 'Live updates on' : 'Live updates off'}
      </Badge>
      <span className="text-muted-foreground">
        {active.length > 0
          ? 'Amazon notifies each order change; the order is refreshed within seconds, the delta stays as a safety net.'
          : `Order changes arrive with the next delta${interval ? ` (every ${interval} min)` : ''}.`}
      </span>
      {failed?.last_error ? <span className="text-destructive">{failed.last_error}</span> : null}
    </div>
  )
}

function window(job: SyncJob): string {
  if (!job.window_start || !job.window_end) return '—'
  const fmt = (v: string) => new Date(v).toLocaleDateString()
  return `${fmt(job.window_start)} → ${fmt(job.window_end)}`
}

export function SyncCard({ tenantId }: { tenantId: string }) {
  const status = useSyncStatus(tenantId)
  const tenant = useTenant(tenantId)
  const run = useRunDelta(tenantId)
  const canRun = canManage(tenant.data?.role)
  // A run names its marketplace or profile as the rows above do.
  const scopes = new Map(status.data?.marketplaces.map((m) => [`${m.connection_id} ${m.marketplace_id}`, m.scope_label]))
  return (
    <Card data-testid="sync-card">
      <CardHeader>
        <CardTitle>Sync</CardTitle>
        <CardDescription>
          Orders: a 24-month backfill, then a delta every few minutes per marketplace. Ads: campaigns and daily metrics
          per profile. Every run with its Amazon request ids.
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-3">
        {status.isPending ? <Skeleton className="h-24 w-full" /> : null}
        {status.isError ? <ErrorState error={status.error} title="Could not load the sync status" /> : null}
        {status.data && status.data.marketplaces.length === 0 ? (
          <p className="text-muted-foreground text-sm">Connect a seller account: its orders sync here by themselves.</p>
        ) : null}
        {status.data && status.data.marketplaces.length > 0 ? (
          <LiveUpdatesLine
            subscriptions={status.data.live_updates}
            interval={status.data.marketplaces.find((m) => m.entity === 'orders')?.delta.interval_minutes ?? null}
          />
        ) : null}
        {status.data?.marketplaces.map((row) => (
          <MarketplaceRow
            key={row.state_id}
            row={row}
            now={new Date(status.data.generated_at).getTime()}
            canRun={canRun}
            running={run.isPending}
            onRun={() => run.mutate(row.connection_id)}
          />
        ))}
        {status.data && status.data.recent_jobs.length > 0 ? (
          <Table aria-label="Recent sync runs">
            <TableHeader>
              <TableRow>
                <TableHead>Run</TableHead>
                <TableHead>Window</TableHead>
                <TableHead className="text-right">Seen / new / updated</TableHead>
                <TableHead className="text-right">429s</TableHead>
                <TableHead>Request ids</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {status.data.recent_jobs.slice(0, 8).map((job) => (
                <TableRow key={job.id} data-kind={job.kind}>
                  <TableCell className="text-xs whitespace-nowrap">
                    {job.kind} · {scopes.get(`${job.connection_id} ${job.marketplace_id}`) ?? job.marketplace_id} ·{' '}
                    {job.status}
                  </TableCell>
                  <TableCell className="text-xs whitespace-nowrap">{window(job)}</TableCell>
                  <TableCell className="text-right text-xs tabular-nums">
                    {job.orders_seen} / {job.orders_inserted} / {job.orders_updated}
                  </TableCell>
                  <TableCell className="text-right text-xs tabular-nums">{job.throttled_429}</TableCell>
                  <TableCell className="max-w-48 truncate font-mono text-xs">{job.request_ids.slice(-1)[0] ?? '—'}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        ) : null}
      </CardContent>
    </Card>
  )
}
