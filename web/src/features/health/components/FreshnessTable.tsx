import { Badge } from '@/components/ui/badge'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { shortDuration } from '@/features/sync/api'
import type { DatasetFreshness } from '../api'

function lastSuccess(row: DatasetFreshness) {
  if (!row.last_success_at) return `never (${shortDuration(row.age_s * 1000)} waiting)`
  return `${shortDuration(row.age_s * 1000)} ago`
}

function State({ row }: { row: DatasetFreshness }) {
  if (row.status === 'paused') return <Badge variant="outline">Paused</Badge>
  if (row.stale) return <Badge variant="destructive">Stale</Badge>
  return <Badge variant="secondary">Fresh</Badge>
}

/** Per dataset and marketplace (or Ads profile): when it last synced, against its interval. */
export function FreshnessTable({ rows }: { rows: DatasetFreshness[] }) {
  if (rows.length === 0) {
    return <p className="text-muted-foreground text-sm">Nothing is synced for this connection yet.</p>
  }
  return (
    <Table aria-label="Data freshness">
      <TableHeader>
        <TableRow>
          <TableHead>Dataset</TableHead>
          <TableHead>Marketplace or profile</TableHead>
          <TableHead>Last successful sync</TableHead>
          <TableHead>Every</TableHead>
          <TableHead>State</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((row) => (
          <TableRow
            key={`${row.dataset}:${row.scope_id}`}
            data-testid="health-dataset"
            data-stale={row.stale ? 'true' : 'false'}
          >
            <TableCell className="text-sm">{row.label}</TableCell>
            <TableCell className="text-sm">
              {row.scope_label}
              {row.scope_label !== row.scope_id ? (
                <span className="text-muted-foreground ml-2 font-mono text-xs">{row.scope_id}</span>
              ) : null}
            </TableCell>
            <TableCell className="text-sm" title={row.last_success_at ?? undefined} data-testid="health-last-success">
              {lastSuccess(row)}
            </TableCell>
            <TableCell className="text-muted-foreground text-sm">{shortDuration(row.interval_s * 1000)}</TableCell>
            <TableCell>
              <State row={row} />
              {row.last_error ? (
                <p className="text-destructive mt-1 max-w-xs text-xs whitespace-normal">{row.last_error}</p>
              ) : null}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  )
}
