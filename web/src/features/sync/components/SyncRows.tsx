import { Badge } from '@/components/ui/badge'
import { Progress } from '@/components/ui/progress'
import { ordersChanged, phaseLabel, shortDuration, type MarketplaceSync } from '../api'

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

function PhaseBadge({ phase }: { phase: MarketplaceSync['phase'] }) {
  return (
    <Badge variant={phase === 'error' ? 'destructive' : phase === 'up_to_date' ? 'default' : 'secondary'}>
      {phaseLabel(phase)}
    </Badge>
  )
}

/** Days of history a backfill covers (an Ads profile's local days); 0 for a snapshot (campaigns). */
function historyDays(row: MarketplaceSync): number {
  const { backfill_from: from, backfill_to: to } = row.backfill
  return from && to ? Math.round((new Date(to).getTime() - new Date(from).getTime()) / 86_400_000) : 0
}

/** What the backfill has done and has left, in one line under its bar. */
function backfillLine(row: MarketplaceSync, now: number): string {
  const pct = Math.round(row.backfill.progress * 100)
  const eta = row.backfill.eta ? shortDuration(new Date(row.backfill.eta).getTime() - now) : null
  const orders = row.entity === 'orders'
  const days = historyDays(row)
  const what = orders
    ? `24-month backfill ${pct}% (${BACKFILL_PATHS[row.backfill.path ?? 'report'] ?? 'order reports'})`
    : days > 0
      ? `${days}-day backfill ${pct}% (reports)`
      : 'First load'
  const left = eta ? ` · about ${eta} left` : row.phase === 'backfill' ? ' · estimating the finish' : ''
  return `${what} · ${row.orders.toLocaleString()} ${orders ? 'orders' : 'rows'} so far${left}`
}

/** The watermarks, cadence and last run of one row: what the operator checks when data looks late. */
function RowFacts({ row, now }: { row: MarketplaceSync; now: number }) {
  const last = row.delta.last_job
  const next = row.delta.next_run_at ? new Date(row.delta.next_run_at).getTime() - now : null
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
      <Fact label="Last delta" value={at(row.delta.last_run_at)} />
      <Fact
        label="Next delta"
        value={next === null ? 'after the backfill' : next <= 0 ? 'due now' : `in ${shortDuration(next)}`}
      />
      <Fact label="Watermark" value={at(row.delta.watermark)} testId="sync-watermark" />
      <Fact label="Interval" value={`${row.delta.interval_minutes} min`} />
      <Fact label={`${row.entity === 'orders' ? 'Orders' : 'Rows'} changed`} value={last ? String(ordersChanged(last)) : '—'} />
      <Fact label="429s" value={last ? String(last.throttled_429) : '—'} />
      <Fact label="Duration" value={last?.duration_s != null ? `${last.duration_s.toFixed(1)} s` : '—'} />
      <Fact label="Request ids" value={last?.request_ids.slice(-2).join(', ') || '—'} />
    </dl>
  )
}

/** A seller's marketplace: its orders' backfill, then its deltas, every fact in sight. */
export function MarketplaceRow({ row, now }: { row: MarketplaceSync; /** The status's server time. */ now: number }) {
  return (
    <div className="space-y-3 rounded-lg border p-3" data-testid="sync-marketplace" data-phase={row.phase}>
      <div className="flex flex-wrap items-center gap-2">
        <span className="text-sm font-medium" data-testid="sync-scope">
          {row.scope_label}
        </span>
        <span className="text-muted-foreground font-mono text-xs">{row.marketplace_id}</span>
        <PhaseBadge phase={row.phase} />
        <span className="text-muted-foreground text-xs" data-testid="sync-orders">
          {row.orders.toLocaleString()} orders
        </span>
      </div>
      {row.phase === 'backfill' || row.phase === 'waiting' ? (
        <div className="space-y-1">
          <Progress value={Math.round(row.backfill.progress * 100)} aria-label={`Backfill of ${row.scope_label}`} />
          <p className="text-muted-foreground text-xs" data-testid="sync-backfill">
            {backfillLine(row, now)}
          </p>
        </div>
      ) : null}
      {row.last_error ? <p className="text-destructive text-xs">{row.last_error}</p> : null}
      <RowFacts row={row} now={now} />
    </div>
  )
}

/** "Ads: advertised products" -> "Advertised products": the profile's block already says Ads. */
function datasetName(label: string): string {
  const name = label.replace(/^Ads:\s*/, '')
  return name.charAt(0).toUpperCase() + name.slice(1)
}

/** An Ads profile: one line per dataset (state, rows, backfill or next delta), the facts folded
 * away. A profile has three datasets and an agency many profiles: a card per dataset made the
 * overview a wall of numbers. */
export function AdsProfileRows({ rows, now }: { rows: MarketplaceSync[]; now: number }) {
  const [first] = rows
  if (!first) return null
  return (
    <div className="rounded-lg border p-3" data-testid="sync-profile">
      <div className="flex flex-wrap items-center gap-2">
        <span className="text-sm font-medium" data-testid="sync-scope">
          {first.scope_label}
        </span>
        <span className="text-muted-foreground font-mono text-xs">{first.marketplace_id}</span>
      </div>
      <ul className="mt-2 divide-y">
        {rows.map((row) => {
          const next = row.delta.next_run_at ? new Date(row.delta.next_run_at).getTime() - now : null
          const backfilling = row.phase === 'backfill' || row.phase === 'waiting'
          return (
            <li
              key={row.state_id}
              className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2"
              data-testid="sync-marketplace"
              data-phase={row.phase}
            >
              <span className="w-40 text-sm">{datasetName(row.label)}</span>
              <PhaseBadge phase={row.phase} />
              <span className="text-muted-foreground w-24 text-xs tabular-nums" data-testid="sync-orders">
                {row.orders.toLocaleString()} rows
              </span>
              <div className="min-w-48 flex-1 space-y-1">
                {backfilling ? (
                  <>
                    <Progress
                      value={Math.round(row.backfill.progress * 100)}
                      aria-label={`Backfill of ${datasetName(row.label)} of ${row.scope_label}`}
                    />
                    <p className="text-muted-foreground text-xs" data-testid="sync-backfill">
                      {backfillLine(row, now)}
                    </p>
                  </>
                ) : (
                  <p className="text-muted-foreground text-xs">
                    Last delta {at(row.delta.last_run_at)}
                    {next === null ? '' : next <= 0 ? ' · next due now' : ` · next in ${shortDuration(next)}`}
                  </p>
                )}
              </div>
              {row.last_error ? <p className="text-destructive basis-full text-xs">{row.last_error}</p> : null}
            </li>
          )
        })}
      </ul>
      <details className="mt-2">
        <summary className="text-muted-foreground cursor-pointer text-xs">Watermarks, runs and request ids</summary>
        <div className="mt-2 space-y-3">
          {rows.map((row) => (
            <section key={row.state_id} aria-label={`${datasetName(row.label)} of ${row.scope_label}`}>
              <h4 className="mb-1 text-xs font-medium">{datasetName(row.label)}</h4>
              <RowFacts row={row} now={now} />
            </section>
          ))}
        </div>
      </details>
    </div>
  )
}
