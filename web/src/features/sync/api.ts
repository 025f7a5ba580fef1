import { useEffect } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'

import { api, unwrap, type components } from '@/client'

export type SyncStatus = components['schemas']['SyncStatusOut']
export type MarketplaceSync = components['schemas']['MarketplaceSyncOut']
export type SyncJob = components['schemas']['JobOut']
export type LiveUpdates = components['schemas']['LiveUpdatesOut']

export const syncKeys = {
  status: (tenantId: string) => ['tenants', tenantId, 'sync', 'status'] as const,
}

/** The sync status, kept live by the server-sent events stream (polling is the fallback). */
export function useSyncStatus(tenantId: string) {
  const queryClient = useQueryClient()
  useEffect(() => {
    if (typeof EventSource === 'undefined') return
    const url = `/api/sync/events?tenant_id=${encodeURIComponent(tenantId)}`
    const source = new EventSource(url, { withCredentials: true })
    source.addEventListener('status', (event) => {
      try {
        queryClient.setQueryData(syncKeys.status(tenantId), JSON.parse((event as MessageEvent<string>).data) as SyncStatus)
      } catch {
        // A malformed event is ignored; the next one (or the poll) repairs the view.
      }
    })
    return () => source.close()
  }, [queryClient, tenantId])
  return useQuery({
    queryKey: syncKeys.status(tenantId),
    queryFn: async () => unwrap(await api.GET('/api/sync/status', { params: { query: { tenant_id: tenantId } } })),
    refetchInterval: 15_000,
  })
}

export function useRunDelta(tenantId: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: async (connectionId: string) =>
      unwrap(
        await api.POST('/api/sync/run', {
          params: { query: { tenant_id: tenantId, connection_id: connectionId } },
        }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: syncKeys.status(tenantId) }),
  })
}

/** "3 min", "2 h 5 min", "4 d": a short duration for ETAs and next runs. */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s} s`
  const m = Math.round(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`
  return `${Math.round(h / 24)} d`
}

export function phaseLabel(phase: MarketplaceSync['phase']): string {
  switch (phase) {
    case 'backfill':
      return 'Backfilling'
    case 'up_to_date':
      return 'Up to date'
    case 'error':
      return 'Error'
    case 'paused':
      return 'Paused'
    default:
      return 'Waiting'
  }
}

export function ordersChanged(job: SyncJob | null | undefined): number {
  return job ? job.orders_inserted + job.orders_updated : 0
}
