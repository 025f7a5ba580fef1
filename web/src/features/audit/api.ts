import { useQuery } from '@tanstack/react-query'

import { api, unwrap, type components } from '@/client'
import { tenantKeys } from '@/features/tenants/api'

export type AuditEntry = components['schemas']['AuditEntry']

export function useAuditLog(tenantId: string) {
  return useQuery({
    queryKey: tenantKeys.audit(tenantId),
    queryFn: async () =>
      unwrap(
        await api.GET('/api/tenants/{tenant_id}/audit-logs', {
          params: { path: { tenant_id: tenantId }, query: { limit: 50 } },
        }),
      ),
  })
}
