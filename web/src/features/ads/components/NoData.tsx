import { Megaphone } from 'lucide-react'
import { Link } from 'react-router'

import { EmptyState } from '@/components/common/EmptyState'
import { Button } from '@/components/ui/button'
import { formatRange, type DateRange } from '../range'
import type { AdsProfileSync } from '../types'

/** The tenant has no Ads account connected yet. */
export function NoProfiles({ tenantId }: { tenantId: string }) {
  return (
    <EmptyState
      icon={Megaphone}
      title="No advertising profile"
      description="Connect an Amazon Ads account: each of its profiles syncs here by itself, 95 days back, then daily."
      action={
        <Button asChild variant="outline">
          <Link to={`/dashboard/tenants/${encodeURIComponent(tenantId)}/integrations/amazon`}>Amazon integration</Link>
        </Button>
      }
    />
  )
}

/** A profile without a single impression or cost in the range: why, and which days do have data. */
export function NoData({ sync, range, onShowData }: { sync: AdsProfileSync; range: DateRange; onShowData?: (range: DateRange) => void }) {
  const loaded = sync.data_from && sync.data_to ? { start: sync.data_from, end: sync.data_to } : null
  const title = sync.state === 'backfilling' && !loaded ? 'The first days are on their way' : 'No advertising data in this range'
  const description = loaded
    ? `Nothing was advertised from ${formatRange(range)}. This profile has data from ${formatRange(loaded)}.`
    : sync.state === 'backfilling'
      ? 'Amazon is preparing the reports of this profile; the page fills in as they arrive.'
      : 'This profile has no Sponsored Products data yet.'
  return (
    <div data-testid="ads-no-data">
      <EmptyState
        icon={Megaphone}
        title={title}
        description={description}
        action={
          loaded && onShowData ? (
            <Button variant="outline" onClick={() => onShowData(loaded)}>
              Show {formatRange(loaded)}
            </Button>
          ) : undefined
        }
      />
    </div>
  )
}
