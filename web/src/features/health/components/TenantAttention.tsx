import { Badge } from '@/components/ui/badge'
import type { TenantAttention as Attention } from '../api'

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`
}

/** A tenant's accounts and what needs attention in it, for the list of tenants: the worst first, so
 * an agency sees which client to open. */
export function TenantAttention({ attention }: { attention: Attention }) {
  const accounts = [
    attention.sellers ? plural(attention.sellers, 'seller account') : null,
    attention.ads_accounts ? plural(attention.ads_accounts, 'Ads account') : null,
  ].filter(Boolean)
  const problems = [
    attention.needs_reauth ? plural(attention.needs_reauth, 'account needs', 'accounts need') + ' reconnecting' : null,
    attention.failing ? plural(attention.failing, 'sync failing', 'syncs failing') : null,
  ].filter((p): p is string => p !== null)
  return (
    <div className="flex flex-wrap items-center gap-1.5" data-testid="tenant-attention">
      <span className="text-muted-foreground text-xs">{accounts.length ? accounts.join(' · ') : 'No Amazon account yet'}</span>
      {problems.map((problem) => (
        <Badge key={problem} variant="destructive">
          {problem}
        </Badge>
      ))}
      {attention.stale ? <Badge variant="outline">{plural(attention.stale, 'dataset')} stale</Badge> : null}
      {attention.backfilling ? <Badge variant="secondary">Loading history</Badge> : null}
      {accounts.length && !problems.length && !attention.stale && !attention.backfilling ? (
        <Badge variant="outline">Up to date</Badge>
      ) : null}
    </div>
  )
}
