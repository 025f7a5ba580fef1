import type { ReactNode } from 'react'
import { Link } from 'react-router'

import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { providerLabel, type ConnectionHealth } from '../api'
import { CallsTable } from './CallsTable'
import { FailuresList } from './FailuresList'
import { FreshnessTable } from './FreshnessTable'

function StatusBadge({ connection }: { connection: ConnectionHealth }) {
  if (connection.needs_reauth) return <Badge variant="destructive">Needs re-authorization</Badge>
  if (connection.stale) return <Badge variant="destructive">Stale data</Badge>
  return <Badge variant="secondary">Healthy</Badge>
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="min-w-0 space-y-2">
      <h3 className="text-sm font-medium">{title}</h3>
      {children}
    </section>
  )
}

/** One connection: its data freshness per dataset, Amazon calls today, and recent failures. */
export function ConnectionHealthCard({ tenantId, connection }: { tenantId: string; connection: ConnectionHealth }) {
  return (
    <Card data-testid="health-connection" data-connection-id={connection.id}>
      <CardHeader>
        <CardTitle>{connection.name}</CardTitle>
        <CardDescription>
          {providerLabel(connection.provider)} · {connection.region}
        </CardDescription>
        <CardAction>
          <StatusBadge connection={connection} />
        </CardAction>
      </CardHeader>
      <CardContent className="space-y-6">
        {connection.needs_reauth ? (
          <div className="border-destructive/40 bg-destructive/5 flex flex-col gap-2 rounded-md border p-3 text-sm sm:flex-row sm:items-center sm:justify-between">
            <p>
              Amazon refused this connection&apos;s authorization
              {connection.last_error ? ` (${connection.last_error})` : ''}: nothing syncs until it is authorized again.
            </p>
            <Button asChild size="sm" variant="outline">
              <Link to={`/dashboard/tenants/${tenantId}/integrations/amazon`}>Reconnect</Link>
            </Button>
          </div>
        ) : null}
        <Section title="Data freshness">
          <FreshnessTable rows={connection.datasets} />
        </Section>
        <div className="grid gap-6 lg:grid-cols-2">
          <Section title="Amazon calls today (UTC)">
            <CallsTable calls={connection.calls_today} />
          </Section>
          <Section title="Recent failures">
            <FailuresList failures={connection.failures} />
          </Section>
        </div>
      </CardContent>
    </Card>
  )
}
