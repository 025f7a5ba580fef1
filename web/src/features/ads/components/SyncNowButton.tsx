import { Loader2, RefreshCw } from 'lucide-react'

import { Button } from '@/components/ui/button'
import { errorMessage } from '@/lib/api-error'
import { useAdsSync } from '../api'

/** Admins: run the profile's Ads sync now instead of at its daily time. */
export function SyncNowButton({ tenantId, profileId }: { tenantId: string; profileId: string }) {
  const sync = useAdsSync(tenantId)
  const said = sync.isError
    ? errorMessage(sync.error)
    : sync.data
      ? sync.data.queued > 0
        ? `${sync.data.queued} sync ${sync.data.queued === 1 ? 'run' : 'runs'} queued`
        : 'Nothing to queue: a sync is already running'
      : null
  return (
    <div className="flex items-center gap-2">
      {said ? (
        <span className={sync.isError ? 'text-destructive text-xs' : 'text-muted-foreground text-xs'} role="status" data-testid="ads-sync-result">
          {said}
        </span>
      ) : null}
      <Button variant="outline" disabled={sync.isPending} onClick={() => sync.mutate(profileId)}>
        {sync.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <RefreshCw aria-hidden />}
        Sync now
      </Button>
    </div>
  )
}
