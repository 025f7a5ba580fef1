import { AlertTriangle, Activity, Clock, KeyRound } from 'lucide-react'

import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { StatCard } from './StatCard'
import { totalCalls, type TenantHealth } from '@/features/health/api'

const number = new Intl.NumberFormat('en-US')

/** The tenant at a glance, and who must authorize a connection again. */
export function HealthSummary({ health }: { health: TenantHealth }) {
  const stale = health.connections.filter((c) => c.stale).length
  const calls = health.connections.reduce((sum, c) => sum + totalCalls(c.calls_today), 0)
  const reauth = health.connections.filter((c) => c.needs_reauth)
  return (
    <div className="space-y-4">
      {reauth.length > 0 ? (
        <Alert variant="destructive" data-testid="health-reauth">
          <KeyRound aria-hidden />
          <AlertTitle>Needs re-authorization</AlertTitle>
          <AlertDescription>
            Amazon no longer accepts the authorization of {reauth.map((c) => c.name).join(', ')}. Reconnect{' '}
            {reauth.length === 1 ? 'it' : 'them'} from the Amazon integration page.
          </AlertDescription>
        </Alert>
      ) : null}
      <div className="grid grid-cols-2 gap-3 sm:gap-4 xl:grid-cols-4">
        <StatCard label="Connections" value={String(health.connections.length)} hint="Sellers and Ads accounts" icon={Activity} />
        <StatCard label="Stale" value={String(stale)} hint="Older than twice their interval" icon={Clock} />
        <StatCard label="Needs re-authorization" value={String(reauth.length)} hint="Amazon refused the grant" icon={AlertTriangle} />
        <StatCard label={`Amazon calls on ${health.day}`} value={number.format(calls)} hint="UTC day, all operations" icon={Activity} />
      </div>
    </div>
  )
}
