import { useQuery } from '@tanstack/react-query'

import { api, unwrap, type components } from '@/client'
import { tenantKeys } from '@/features/tenants/api'

export type TenantHealth = components['schemas']['TenantHealthOut']
export type ConnectionHealth = components['schemas']['ConnectionHealthOut']
export type DatasetFreshness = components['schemas']['DatasetFreshnessOut']
export type Failure = components['schemas']['FailureOut']
export type OperationCalls = components['schemas']['OperationCallsOut']
export type TenantAttention = components['schemas']['TenantAttentionOut']

export const healthKeys = {
  tenant: (tenantId: string) => [...tenantKeys.one(tenantId), 'health'] as const,
  attention: [...tenantKeys.all, 'attention'] as const,
}

/** The tenant's Health view (owners and admins), read again every 30 s while it is open. */
export function useTenantHealth(tenantId: string, enabled = true) {
  return useQuery({
    queryKey: healthKeys.tenant(tenantId),
    queryFn: async () =>
      unwrap(await api.GET('/api/tenants/{tenant_id}/health', { params: { path: { tenant_id: tenantId } } })),
    enabled,
    refetchInterval: 30_000,
  })
}

/** What needs attention in each of the user's tenants (any role), read again every 30 s. */
export function useTenantsAttention() {
  return useQuery({
    queryKey: healthKeys.attention,
    queryFn: async () => unwrap(await api.GET('/api/health/tenants')),
    refetchInterval: 30_000,
  })
}

export function providerLabel(provider: ConnectionHealth['provider']): string {
  return provider === 'amazon_ads' ? 'Ads account' : 'Seller account'
}

export function totalCalls(calls: OperationCalls[]): number {
  return calls.reduce((sum, row) => sum + row.calls, 0)
}
