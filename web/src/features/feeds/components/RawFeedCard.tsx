import { useState, type FormEvent } from 'react'
import { ChevronDown, FileUp, Loader2 } from 'lucide-react'

import { ErrorState } from '@/components/common/ErrorState'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { SelectField } from '@/features/reports/components/SelectField'
import { connectionLabel, pickSeller, useSellerAccounts } from '@/features/reports/sellers'
import { useSubmitRaw } from '../api'
import { FeedIssuesError } from '../http'
import { CONTENT_TYPES, DEFAULT_FEED_TYPE } from '../format'
import type { FeedOut } from '../types'
import { FeedIssues } from './FeedIssues'

/** The raw path for any feed type: the file as it is, declared with the content type Amazon will be told. */
export function RawFeedCard({ tenantId, onSubmitted }: { tenantId: string; onSubmitted: (feed: FeedOut) => void }) {
  const { sellers, marketplaceName } = useSellerAccounts(tenantId)
  const raw = useSubmitRaw(tenantId)
  const [connectionId, setConnectionId] = useState('')
  // null until the user ticks or unticks one: then the connection's first marketplace is proposed.
  const [ticked, setTicked] = useState<string[] | null>(null)
  const [contentType, setContentType] = useState(CONTENT_TYPES[0] ?? '')
  const [feedType, setFeedType] = useState(DEFAULT_FEED_TYPE)
  const [file, setFile] = useState<File | null>(null)
  const [fileKey, setFileKey] = useState(0)
  const [tried, setTried] = useState(false)

  const { connection, marketplaces, marketplace } = pickSeller(sellers, connectionId, '')
  const marketplaceIds = ticked === null ? (marketplace ? [marketplace] : []) : ticked.filter((m) => marketplaces.includes(m))
  const missing = !file
    ? 'Pick the feed file.'
    : !feedType.trim()
      ? 'Name the feed type.'
      : marketplaceIds.length === 0
        ? 'Tick at least one marketplace.'
        : null

  const toggle = (id: string, on: boolean) =>
    setTicked(on ? [...new Set([...marketplaceIds, id])] : marketplaceIds.filter((m) => m !== id))

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    setTried(true)
    if (!connection || !file || missing) return
    raw.mutate(
      { connectionId: connection.id, contentType, file, feedType: feedType.trim(), marketplaceIds },
      {
        onSuccess: (feed) => {
          setFile(null)
          setFileKey((k) => k + 1)
          setTried(false)
          onSubmitted(feed)
        },
      },
    )
  }

  if (sellers.length === 0) return null
  return (
    <Card>
      <details className="group">
        <summary className="cursor-pointer list-none [&::-webkit-details-marker]:hidden">
          <CardHeader>
            <CardTitle className="flex items-center gap-2">
              Advanced: upload a feed file
              <ChevronDown className="size-4 transition-transform group-open:rotate-180" aria-hidden />
            </CardTitle>
            <CardDescription>Any feed type, the file sent as it is. JSON listings feeds are checked against Amazon&apos;s schema first.</CardDescription>
          </CardHeader>
        </summary>
        <CardContent className="pt-4">
          <form aria-label="Upload a feed file" className="space-y-4" noValidate onSubmit={onSubmit}>
            <div className="grid gap-3 md:grid-cols-3">
              <SelectField
                id="raw-connection"
                label="Connection"
                value={connection?.id ?? ''}
                options={sellers.map((c) => ({ value: c.id, label: connectionLabel(c) }))}
                onChange={(value) => {
                  setConnectionId(value)
                  setTicked(null)
                }}
              />
              <div className="space-y-1.5">
                <Label htmlFor="raw-feed-type">Feed type</Label>
                <Input id="raw-feed-type" className="font-mono" value={feedType} onChange={(e) => setFeedType(e.target.value)} />
              </div>
              <SelectField
                id="raw-content-type"
                label="Content type"
                value={contentType}
                options={CONTENT_TYPES.map((t) => ({ value: t, label: t }))}
                onChange={setContentType}
              />
            </div>
            <fieldset className="space-y-1.5">
              <legend className="text-sm font-medium">Marketplaces</legend>
              <div className="flex flex-wrap gap-4">
                {marketplaces.map((id) => (
                  <label key={id} className="flex items-center gap-2 text-sm">
                    <input type="checkbox" checked={marketplaceIds.includes(id)} onChange={(e) => toggle(id, e.target.checked)} />
                    {marketplaceName(id)}
                  </label>
                ))}
              </div>
            </fieldset>
            <div className="space-y-1.5">
              <Label htmlFor="raw-file">Feed file</Label>
              <Input key={fileKey} id="raw-file" type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
            </div>
            {tried && missing ? (
              <p className="text-destructive text-sm" data-testid="raw-missing">
                {missing}
              </p>
            ) : null}
            <Button type="submit" disabled={raw.isPending}>
              {raw.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <FileUp aria-hidden />}
              Upload and create feed
            </Button>
            {raw.error instanceof FeedIssuesError ? (
              <FeedIssues issues={raw.error.issues} title="Amazon would refuse this file" testId="raw-issues" />
            ) : raw.isError ? (
              <div data-testid="raw-error">
                <ErrorState error={raw.error} title="Could not submit the feed" />
              </div>
            ) : null}
          </form>
        </CardContent>
      </details>
    </Card>
  )
}
