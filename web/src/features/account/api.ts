import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'

import { api, unwrap, type components } from '@/client'
import { authKeys } from '@/auth/queries'

export type InvitationPreview = components['schemas']['InvitationPreview']
export type SessionInfo = components['schemas']['SessionInfo']

export const accountKeys = {
  sessions: ['auth', 'sessions'] as const,
}

/** The signed-in user's live sessions (browsers), most recently used first; one is this browser's. */
export function useSessions() {
  return useQuery({
    queryKey: accountKeys.sessions,
    queryFn: async () => unwrap(await api.GET('/api/auth/sessions')),
    // Fetched whenever the page opens: a browser that signed in a moment ago must be listed.
    staleTime: 0,
  })
}

/**
 * The token of an e-mailed link. It travels in the URL's fragment (`#token=...`): browsers never send
 * a fragment to a server, so it reaches no access log and no Referer. `?token=` is what links mailed
 * before looked like: still read, for one release.
 */
export function linkToken(location: { hash: string; search: string }): string {
  const fromFragment = new URLSearchParams(location.hash.replace(/^#/, '')).get('token')
  return fromFragment || new URLSearchParams(location.search).get('token') || ''
}

export const INVITATION_PAGE = '/invitations/accept'

export function invitationPath(token: string): string {
  return `${INVITATION_PAGE}#token=${encodeURIComponent(token)}`
}

/**
 * The invitation the invitee is looking at, kept in this browser while they sign in, sign up, or verify
 * their address from an e-mail (a new page): they come back to `INVITATION_PAGE` without the token in
 * any URL (a `?next=` holding it would reach the API in the Referer of every request of those pages).
 */
const PENDING_INVITATION = 'pending-invitation'

export function rememberInvitation(token: string) {
  window.localStorage.setItem(PENDING_INVITATION, token)
}

export function pendingInvitationToken(): string {
  const kept = window.localStorage.getItem(PENDING_INVITATION) ?? ''
  // Kept as a path (`/invitations/accept?token=...`) before tokens moved to the fragment.
  return kept.startsWith('/') ? new URLSearchParams(kept.split('?')[1] ?? '').get('token') ?? '' : kept
}

export function forgetInvitation() {
  window.localStorage.removeItem(PENDING_INVITATION)
}

/** Where the verification page sends the invitee back to, if anywhere; forgotten here. */
export function takePendingInvitation(): string | null {
  const token = pendingInvitationToken()
  forgetInvitation()
  return token ? invitationPath(token) : null
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
    onSuccess: () => {
      forgetInvitation()
      return queryClient.invalidateQueries({ queryKey: ['tenants'] })
    },
  })
}
