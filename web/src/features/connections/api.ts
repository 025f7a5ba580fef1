import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'

import { api, unwrap, type components } from '@/client'
import { tenantKeys } from '@/features/tenants/api'

export type Connection = components['schemas']['ConnectionOut']
export type AdsProfile = components['schemas']['AdsProfileOut']
export type Marketplace = components['schemas']['MarketplaceOut']
export type Region = Marketplace['region']

export const REGIONS: { value: Region; label: string }[] = [
  { value: 'NA', label: 'North America' },
  { value: 'EU', label: 'Europe' },
  { value: 'FE', label: 'Far East' },
]

export const connectionKeys = {
  list: (tenantId: string) => ['tenants', tenantId, 'connections'] as const,
  marketplaces: ['marketplaces'] as const,
}

// How often a page that counts connections beside the sync card asks again (`live`): the sync
// card's own poll, so that a seller connected, or needing re-authorization, meanwhile shows on both.
export const CONNECTIONS_POLL_MS = 15_000

export function useConnections(tenantId: string, options: { live?: boolean } = {}) {
  return useQuery({
    queryKey: connectionKeys.list(tenantId),
    queryFn: async () =>
      unwrap(await api.GET('/api/tenants/{tenant_id}/connections', { params: { path: { tenant_id: tenantId } } })),
    refetchInterval: options.live ? CONNECTIONS_POLL_MS : false,
  })
}

export function useMarketplaces() {
  return useQuery({
    queryKey: connectionKeys.marketplaces,
    queryFn: async () => unwrap(await api.GET('/api/marketplaces')),
    staleTime: Infinity,
  })
}

/** Leave the panel for Amazon's consent page (a full navigation: Amazon redirects back to the API). */
function goToConsent(result: { consentUrl: string }) {
  window.location.assign(result.consentUrl)
}

export function useStartSpOAuth(tenantId: string) {
  return useMutation({
    mutationFn: async ({ region, marketplaces }: { region: Region; marketplaces: string[] }) =>
      unwrap(
        await api.POST('/api/oauth/start', {
          params: { query: { tenant_id: tenantId, region, marketplaces } },
        }),
      ),
    onSuccess: goToConsent,
  })
}

export function useStartAdsOAuth(tenantId: string) {
  return useMutation({
    mutationFn: async (region: Region) =>
      unwrap(await api.POST('/api/ads/oauth/start', { params: { query: { tenant_id: tenantId, region } } })),
    onSuccess: goToConsent,
  })
}

export function useReconnect(tenantId: string) {
  return useMutation({
    mutationFn: async (connectionId: string) =>
      unwrap(
        await api.POST('/api/tenants/{tenant_id}/connections/{connection_id}/reconnect', {
          params: { path: { tenant_id: tenantId, connection_id: connectionId } },
        }),
      ),
    onSuccess: goToConsent,
  })
}

export function useDisconnect(tenantId: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: async (connectionId: string) =>
      unwrap(
        await api.POST('/api/tenants/{tenant_id}/connections/{connection_id}/disconnect', {
          params: { path: { tenant_id: tenantId, connection_id: connectionId } },
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: connectionKeys.list(tenantId) })
      void queryClient.invalidateQueries({ queryKey: tenantKeys.audit(tenantId) })
    },
  })
}

export function useDeleteConnection(tenantId: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: async (connectionId: string) =>
      unwrap(
        await api.DELETE('/api/tenants/{tenant_id}/connections/{connection_id}', {
          params: { path: { tenant_id: tenantId, connection_id: connectionId } },
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: connectionKeys.list(tenantId) })
      void queryClient.invalidateQueries({ queryKey: tenantKeys.audit(tenantId) })
    },
  })
}
