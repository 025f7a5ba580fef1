import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'

import { api, unwrap, type components } from '@/client'

export type Tenant = components['schemas']['TenantOut']
export type Member = components['schemas']['MemberOut']
export type FeatureFlag = components['schemas']['FeatureFlagOut']
export type Role = Member['role']

export const ROLES: Role[] = ['owner', 'admin', 'viewer']

export const tenantKeys = {
  all: ['tenants'] as const,
  one: (id: string) => ['tenants', id] as const,
  members: (id: string) => ['tenants', id, 'members'] as const,
  flags: (id: string) => ['tenants', id, 'flags'] as const,
  audit: (id: string) => ['tenants', id, 'audit'] as const,
}

/** Owners and admins may change things; viewers only look. */
export function canManage(role: Role | undefined): boolean {
  return role === 'owner' || role === 'admin'
}

export function useTenants() {
  return useQuery({
    queryKey: tenantKeys.all,
    queryFn: async () => unwrap(await api.GET('/api/tenants')),
  })
}

export function useTenant(id: string) {
  return useQuery({
    queryKey: tenantKeys.one(id),
    queryFn: async () => unwrap(await api.GET('/api/tenants/{tenant_id}', { params: { path: { tenant_id: id } } })),
  })
}

export function useCreateTenant() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: async (name: string) => unwrap(await api.POST('/api/tenants', { body: { name } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: tenantKeys.all }),
  })
}

export function useMembers(tenantId: string) {
  return useQuery({
    queryKey: tenantKeys.members(tenantId),
    queryFn: async () =>
      unwrap(await api.GET('/api/tenants/{tenant_id}/members', { params: { path: { tenant_id: tenantId } } })),
  })
}

function useMemberMutation<T>(tenantId: string, fn: (input: T) => Promise<unknown>) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: fn,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: tenantKeys.members(tenantId) })
      void queryClient.invalidateQueries({ queryKey: tenantKeys.audit(tenantId) })
    },
  })
}

export function useChangeRole(tenantId: string) {
  return useMemberMutation(tenantId, async ({ userId, role }: { userId: string; role: Role }) =>
    unwrap(
      await api.PATCH('/api/tenants/{tenant_id}/members/{user_id}', {
        params: { path: { tenant_id: tenantId, user_id: userId } },
        body: { role },
      }),
    ),
  )
}

export function useRemoveMember(tenantId: string) {
  return useMemberMutation(tenantId, async (userId: string) =>
    unwrap(
      await api.DELETE('/api/tenants/{tenant_id}/members/{user_id}', {
        params: { path: { tenant_id: tenantId, user_id: userId } },
      }),
    ),
  )
}

export function useFlags(tenantId: string) {
  return useQuery({
    queryKey: tenantKeys.flags(tenantId),
    queryFn: async () =>
      unwrap(await api.GET('/api/tenants/{tenant_id}/flags', { params: { path: { tenant_id: tenantId } } })),
  })
}

export function useUpdateFlags(tenantId: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: async (flags: Record<string, boolean | null>) =>
      unwrap(
        await api.PATCH('/api/tenants/{tenant_id}/flags', {
          params: { path: { tenant_id: tenantId } },
          body: { flags },
        }),
      ),
    onSuccess: (flags) => {
      queryClient.setQueryData(tenantKeys.flags(tenantId), flags)
      void queryClient.invalidateQueries({ queryKey: tenantKeys.audit(tenantId) })
    },
  })
}
