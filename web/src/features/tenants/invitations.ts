import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'

import { api, unwrap, type components } from '@/client'
import { tenantKeys, type Role } from './api'

export type Invitation = components['schemas']['InvitationOut']

const invitationKeys = (tenantId: string) => ['tenants', tenantId, 'invitations'] as const

/** Pending invitations: owners and admins only (the API answers 403 to viewers). */
export function useInvitations(tenantId: string, enabled: boolean) {
  return useQuery({
    queryKey: invitationKeys(tenantId),
    queryFn: async () =>
      unwrap(await api.GET('/api/tenants/{tenant_id}/invitations', { params: { path: { tenant_id: tenantId } } })),
    enabled,
  })
}

function useInvitationMutation<T>(tenantId: string, fn: (input: T) => Promise<unknown>) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: fn,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: invitationKeys(tenantId) })
      void queryClient.invalidateQueries({ queryKey: tenantKeys.audit(tenantId) })
    },
  })
}

export function useInvite(tenantId: string) {
  return useInvitationMutation(tenantId, async (body: { email: string; role: Role }) =>
    unwrap(
      await api.POST('/api/tenants/{tenant_id}/invitations', { params: { path: { tenant_id: tenantId } }, body }),
    ),
  )
}

export function useRevokeInvitation(tenantId: string) {
  return useInvitationMutation(tenantId, async (invitationId: string) =>
    unwrap(
      await api.DELETE('/api/tenants/{tenant_id}/invitations/{invitation_id}', {
        params: { path: { tenant_id: tenantId, invitation_id: invitationId } },
      }),
    ),
  )
}
