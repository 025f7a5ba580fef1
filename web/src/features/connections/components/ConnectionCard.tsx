import { useState } from 'react'
import { AlertTriangle, Loader2, Megaphone, Store } from 'lucide-react'

import { ErrorState } from '@/components/common/ErrorState'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from '@/components/ui/card'
import { useDisconnect, useReconnect, type Connection } from '../api'
import { AdsProfilesTable } from './AdsProfilesTable'
import { DeleteDataButton } from './DeleteDataButton'
import { StatusBadge } from './StatusBadge'

interface ConnectionCardProps {
  tenantId: string
  connection: Connection
  all: Connection[]
  countryOf: (marketplaceId: string) => string
  canManage: boolean
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="space-y-0.5">
      <dt className="text-muted-foreground text-xs">{label}</dt>
      <dd className="text-sm break-all">{children}</dd>
    </div>
  )
}

const DAY_MS = 24 * 60 * 60 * 1000
// Sellers re-authorize every 365 days; warn during the last 30.
const AUTHORIZATION_DAYS = 365
const WARN_DAYS = 30

function authorizationExpiry(connection: Connection): Date | null {
  if (connection.provider !== 'amazon_sp' || connection.status !== 'active') return null
  const expires = new Date(new Date(connection.authorized_at).getTime() + AUTHORIZATION_DAYS * DAY_MS)
  return expires.getTime() - Date.now() < WARN_DAYS * DAY_MS ? expires : null
}

export function ConnectionCard({ tenantId, connection, all, countryOf, canManage }: ConnectionCardProps) {
  const disconnect = useDisconnect(tenantId)
  const reconnect = useReconnect(tenantId)
  const [confirming, setConfirming] = useState(false)
  const isAds = connection.provider === 'amazon_ads'
  const Icon = isAds ? Megaphone : Store
  const error = disconnect.error ?? reconnect.error
  const expiresSoon = authorizationExpiry(connection)

  return (
    <Card data-connection-id={connection.id} data-status={connection.status}>
      <CardHeader className="flex flex-row items-start gap-3">
        <Icon className="text-muted-foreground mt-1 size-5 shrink-0" aria-hidden />
        <div className="min-w-0 flex-1 space-y-1">
          <CardTitle className="truncate">{connection.display_name ?? connection.account_id}</CardTitle>
          <CardDescription>{isAds ? 'Amazon Ads' : 'Seller account (SP-API)'}</CardDescription>
        </div>
        <StatusBadge status={connection.status} />
      </CardHeader>
      <CardContent className="space-y-4">
        {connection.status === 'needs_reauth' ? (
          <Alert variant="destructive" role="alert">
            <AlertTriangle />
            <AlertTitle>Amazon no longer accepts this authorization</AlertTitle>
            <AlertDescription>
              Syncing is paused until the account owner authorizes again. Press Reconnect and sign in to Amazon.
            </AlertDescription>
          </Alert>
        ) : null}
        {connection.data_deletion_due_at ? (
          <Alert role="status">
            <AlertTriangle />
            <AlertTitle>
              Data will be deleted on {new Date(connection.data_deletion_due_at).toLocaleDateString()}
            </AlertTitle>
            <AlertDescription>
              Everything synced for this account (orders, reports, feeds, ad metrics) is deleted then, as Amazon
              requires once access ends. Reconnect before that date to keep it.
            </AlertDescription>
          </Alert>
        ) : null}
        {expiresSoon ? (
          <Alert role="alert">
            <AlertTriangle />
            <AlertTitle>Authorization expires on {expiresSoon.toLocaleDateString()}</AlertTitle>
            <AlertDescription>Amazon asks sellers to authorize again every year. Reconnect before then.</AlertDescription>
          </Alert>
        ) : null}
        <dl className="grid grid-cols-2 gap-3 md:grid-cols-4">
          <Field label={isAds ? 'Advertiser account' : 'Selling partner id'}>
            <span className="font-mono">{connection.account_id}</span>
          </Field>
          <Field label="Region">{connection.region}</Field>
          <Field label="Marketplaces">
            {connection.marketplaces.map(countryOf).join(', ') || '—'}
            {connection.selected_marketplaces.length > 0 ? (
              <span className="text-muted-foreground block text-xs">
                syncing {connection.selected_marketplaces.map(countryOf).join(', ')}
              </span>
            ) : null}
          </Field>
          <Field label={connection.status === 'revoked' ? 'Disconnected' : 'Connected'}>
            {new Date(connection.disconnected_at ?? connection.connected_at).toLocaleString()}
          </Field>
        </dl>
        {isAds ? <AdsProfilesTable profiles={connection.profiles ?? []} connections={all} /> : null}
        {error ? <ErrorState error={error} title="Could not change the connection" /> : null}
      </CardContent>
      {canManage ? (
        <CardFooter className="flex flex-wrap gap-2">
          {connection.status !== 'active' || expiresSoon ? (
            <Button onClick={() => reconnect.mutate(connection.id)} disabled={reconnect.isPending}>
              {reconnect.isPending ? <Loader2 className="animate-spin" aria-hidden /> : null}
              Reconnect
            </Button>
          ) : null}
          {connection.status !== 'revoked' && !confirming ? (
            <Button variant="outline" onClick={() => setConfirming(true)}>
              Disconnect
            </Button>
          ) : null}
          {connection.status === 'revoked' ? (
            <DeleteDataButton tenantId={tenantId} connectionId={connection.id} />
          ) : null}
          {confirming ? (
            <>
              <Button
                variant="destructive"
                disabled={disconnect.isPending}
                onClick={() => disconnect.mutate(connection.id, { onSuccess: () => setConfirming(false) })}
              >
                Confirm disconnect
              </Button>
              <Button variant="ghost" onClick={() => setConfirming(false)}>
                Cancel
              </Button>
              <p className="text-muted-foreground w-full text-xs">
                The token is deleted and syncing stops; data already synced is deleted after the grace period
                (or now, with Delete data) unless you reconnect.
              </p>
            </>
          ) : null}
        </CardFooter>
      ) : null}
    </Card>
  )
}
