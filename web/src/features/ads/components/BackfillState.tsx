import { AlertCircle, History, PauseCircle } from 'lucide-react'

import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Progress } from '@/components/ui/progress'
import { shortDuration } from '@/features/sync/api'
import { formatRange } from '../range'
import type { AdsProfileSync } from '../types'

function daysSoFar(sync: AdsProfileSync): string {
  return sync.data_from && sync.data_to
    ? `days so far: ${formatRange({ start: sync.data_from, end: sync.data_to })}`
    : 'no day loaded yet'
}

/**
 * While a profile's first backfill runs (Amazon keeps about 95 days, asked for a month at a time): how far it is, how long it
 * should still take, and which days the page can already show. Nothing while the profile is up to date.
 * `now` is when the state was read, which the ETA counts from.
 */
export function BackfillState({ sync, now }: { sync: AdsProfileSync; now: number }) {
  if (sync.state === 'ready') return null
  if (sync.state === 'error' || sync.state === 'paused') {
    const Icon = sync.state === 'error' ? AlertCircle : PauseCircle
    return (
      <Alert variant={sync.state === 'error' ? 'destructive' : 'default'} data-testid="ads-sync-problem" data-state={sync.state}>
        <Icon />
        <AlertTitle>{sync.state === 'error' ? 'The Ads sync of this profile failed' : 'The Ads sync of this profile is paused'}</AlertTitle>
        <AlertDescription>
          <p>{sync.last_error ?? 'It resumes by itself; an admin can also run it now.'}</p>
          <p className="text-muted-foreground text-xs">
            The figures below stop at the last day loaded ({sync.data_to ?? 'none yet'}).
          </p>
        </AlertDescription>
      </Alert>
    )
  }
  const pct = Math.round(sync.progress * 100)
  const eta = sync.eta ? shortDuration(new Date(sync.eta).getTime() - now) : null
  return (
    <Alert data-testid="ads-backfill" data-progress={sync.progress}>
      <History />
      <AlertTitle>Loading this profile's advertising history</AlertTitle>
      <AlertDescription className="w-full space-y-2">
        <Progress value={pct} aria-label="Ads backfill" className="mt-1" />
        <p className="tabular-nums" data-testid="ads-backfill-status">
          {pct}% done{eta ? ` · about ${eta} left` : ''} · {daysSoFar(sync)}
        </p>
        <p className="text-muted-foreground text-xs">
          Amazon prepares each month of reports on its side; the page refreshes by itself as days arrive.
        </p>
      </AlertDescription>
    </Alert>
  )
}
