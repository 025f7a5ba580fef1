import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'

import { api, unwrap, type components } from '@/client'
import { authKeys } from '@/auth/queries'

export type InvitationPreview = components['schemas']['InvitationPreview']

/** Where the invitee was going before an e-mail took them away (the verification link opens a new page). */
const PENDING_INVITATION = 'pending-invitation'

export function rememberInvitation(path: string) {
  window.localStorage.setItem(PENDING_INVITATION, path)
}

export function takePendingInvitation(): string | null {
  const path = window.localStorage.getItem(PENDING_INVITATION)
  window.localStorage.removeItem(PENDING_INVITATION)
  return path && path.startsWith('/invitations/') ? path : null
}

export function useVerifyEmail() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: async (token: string) => unwrap(await api.POST('/api/auth/verify', { body: { token } })),
    meta: { skipAuthRedirect: true },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: authKeys.me }),
  })
}

export function useResendVerification() {
  return useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/auth/verify/resend')),
  })
}

export function useForgotPassword() {
  return useMutation({
    mutationFn: async (email: string) => unwrap(await api.POST('/api/auth/password/forgot', { body: { email } })),
    meta: { skipAuthRedirect: true },
  })
}

export function useResetPassword() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: async (body: { token: string; password: string }) =>
      unwrap(await api.POST('/api/auth/password/reset', { body })),
    meta: { skipAuthRedirect: true },
    // Every session ended, this browser's too.
    onSuccess: () => queryClient.setQueryData(authKeys.me, null),
  })
}

export function useInvitationPreview(token: string) {
  return useQuery({
    queryKey: ['invitations', 'preview', token],
    queryFn: async () => unwrap(await api.POST('/api/invitations/lookup', { body: { token } })),
    enabled: token !== '',
    retry: false,
  })
}

export function useAcceptInvitation() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: async (token: string) => unwrap(await api.POST('/api/invitations/accept', { body: { token } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['tenants'] }),
  })
}
