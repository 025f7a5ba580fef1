import { RefreshCw } from 'lucide-react'

import { ErrorState } from '@/components/common/ErrorState'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useConnections, type Connection } from '@/features/connections/api'
import { canManage, useTenant } from '@/features/tenants/api'
import { useRunDelta, useSyncStatus, type LiveUpdates, type MarketplaceSync, type SyncJob } from '../api'
import { AdsProfileRows, MarketplaceRow } from './SyncRows'

/** `items` in runs of the same key, in their order (the status lists a connection's rows, and a
 * profile's, together). */
function groupBy<T>(items: T[], key: (item: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    const group = groups.get(k)
    if (group) group.push(item)
    else groups.set(k, [item])
  }
  return [...groups.entries()]
}

/** "Seller account · Demo Seller Store · NA": the connection as the integrations page names it. */
function connectionTitle(rows: MarketplaceSync[], connection: Connection | undefined): string {
  const ads = connection ? connection.provider === 'amazon_ads' : rows.every((r) => r.entity !== 'orders')
  const kind = ads ? 'Ads account' : 'Seller account'
  if (!connection) return kind
  return `${kind} · ${connection.display_name ?? connection.account_id} · ${connection.region}`
}

/** One connection's rows under its name, with the one button that acts on all of them ("Run delta
 * now" asks for a delta of every marketplace or profile of the connection). */
function ConnectionSync({
  rows,
  connection,
  now,
  canRun,
  running,
  onRun,
}: {
  rows: MarketplaceSync[]
  connection: Connection | undefined
  now: number
  canRun: boolean
  running: boolean
  onRun: () => void
}) {
  const [first] = rows
  if (!first) return null
  return (
    <section className="space-y-2" data-testid="sync-connection" data-connection-id={first.connection_id}>
      <div className="flex flex-wrap items-center gap-2">
        <h3 className="text-sm font-semibold">{connectionTitle(rows, connection)}</h3>
        {canRun ? (
          <Button size="sm" variant="outline" className="ml-auto" disabled={running} onClick={onRun}>
            <RefreshCw aria-hidden />
            Run delta now
          </Button>
        ) : null}
      </div>
      {groupBy(rows, (r) => (r.entity === 'orders' ? r.state_id : r.marketplace_id)).map(([key, group]) =>
        group[0]?.entity === 'orders' ? (
          group.map((row) => <MarketplaceRow key={row.state_id} row={row} now={now} />)
        ) : (
          <AdsProfileRows key={key} rows={group} now={now} />
        ),
      )}
    </section>
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
  const connections = useConnections(tenantId)
  const run = useRunDelta(tenantId)
  const canRun = canManage(tenant.data?.role)
  // A run names its marketplace or profile as the rows above do.
  const scopes = new Map(status.data?.marketplaces.map((m) => [`${m.connection_id} ${m.marketplace_id}`, m.scope_label]))
  const named = new Map(connections.data?.map((c) => [c.id, c]))
  const now = status.data ? new Date(status.data.generated_at).getTime() : 0
  return (
    <Card data-testid="sync-card">
      <CardHeader>
        <CardTitle>Sync</CardTitle>
        <CardDescription>
          Orders: a 24-month backfill, then a delta every few minutes per marketplace. Ads: campaigns and daily metrics
          per profile. Every run with its Amazon request ids.
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-4">
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
        {groupBy(status.data?.marketplaces ?? [], (r) => r.connection_id).map(([connectionId, rows]) => (
          <ConnectionSync
            key={connectionId}
            rows={rows}
            connection={named.get(connectionId)}
            now={now}
            canRun={canRun}
            running={run.isPending}
            onRun={() => run.mutate(connectionId)}
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
