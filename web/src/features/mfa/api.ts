import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'

import { api, unwrap, type components } from '@/client'
import { authKeys } from '@/auth/queries'

export type MfaStatus = components['schemas']['MfaStatusOut']
export type MfaEnrolment = components['schemas']['MfaEnrolmentOut']
export type MfaChallenge = components['schemas']['MfaChallenge']

/** The error codes the API answers when a route needs a second factor (app/tenants/permissions.py). */
export const MFA_REQUIRED = 'mfa_required'
export const MFA_STEP_UP_REQUIRED = 'mfa_step_up_required'

export const mfaKeys = {
  status: ['auth', 'mfa'] as const,
}

/** The account-security page, coming back to `next` once MFA is on. */
export function securityPath(next?: string): string {
  return `/dashboard/account/security${next ? `?next=${encodeURIComponent(next)}` : ''}`
}

export function isMfaChallenge(body: unknown): body is MfaChallenge {
  return typeof body === 'object' && body !== null && (body as { status?: unknown }).status === 'mfa_required'
}

export function useMfaStatus() {
  return useQuery({ queryKey: mfaKeys.status, queryFn: async () => unwrap(await api.GET('/api/auth/mfa')) })
}

function useMfaMutation<I, O>(fn: (input: I) => Promise<O>) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: fn,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: mfaKeys.status }),
  })
}

/** A new secret and its otpauth:// URI: shown once, never fetched again. */
export function useStartEnrolment() {
  return useMfaMutation(async () => unwrap(await api.POST('/api/auth/mfa/enrol')))
}

/** The first code turns MFA on; the answer holds the recovery codes, shown once (the caller keeps them
 *  on screen: the status refreshed here says "on" while they are shown). */
export function useConfirmEnrolment() {
  return useMfaMutation(async (code: string) => unwrap(await api.POST('/api/auth/mfa/confirm', { body: { code } })))
}

/** Ten new recovery codes for a current code (the old ones stop working), shown once. */
export function useRegenerateRecoveryCodes() {
  return useMfaMutation(async (code: string) =>
    unwrap(await api.POST('/api/auth/mfa/recovery-codes', { body: { code } })),
  )
}

/** Step-up: a code marks this session as MFA-verified. */
export function useVerifySession() {
  return useMfaMutation(async (code: string) => unwrap(await api.POST('/api/auth/mfa/verify', { body: { code } })))
}

export function useDisableMfa() {
  return useMfaMutation(async (body: { code: string; password: string }) =>
    unwrap(await api.POST('/api/auth/mfa/disable', { body })),
  )
}

/** The second step of sign-in: the pending token and a code (or a recovery code). */
export function useMfaSignIn() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: async (body: { mfa_token: string; code: string }) =>
      unwrap(await api.POST('/api/auth/mfa/signin', { body })),
    meta: { skipAuthRedirect: true },
    onSuccess: () => queryClient.removeQueries({ queryKey: authKeys.me }),
  })
}
