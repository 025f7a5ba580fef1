import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'

import { api, postJson, unwrap, type paths } from '@/client'
import { ApiError } from '@/lib/api-error'
import { loadPage } from '@/lib/browser'

/** `GET /api/auth/me` 200 body, from the generated OpenAPI types. */
export type CurrentUser =
  paths['/api/auth/me']['get']['responses'][200]['content']['application/json']

export interface SignInInput {
  email: string
  password: string
}

export interface SignUpInput extends SignInInput {
  name?: string
}

export const authKeys = {
  me: ['auth', 'me'] as const,
}

/** The signed-in user, or `null` when the API says 401. Other failures are errors. */
export async function fetchMe(): Promise<CurrentUser | null> {
  try {
    return unwrap(await api.GET('/api/auth/me'))
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null
    throw error
  }
}

export function useMe() {
  return useQuery({ queryKey: authKeys.me, queryFn: fetchMe })
}

/** Safe post-sign-in target: only same-site paths. */
export function nextPath(raw: string | null): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/auth')) {
    return '/dashboard'
  }
  return raw
}

export function useSignIn() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (input: SignInInput) => postJson<unknown>('/api/auth/signin', input),
    meta: { skipAuthRedirect: true },
    onSuccess: () => queryClient.removeQueries({ queryKey: authKeys.me }),
  })
}

/**
 * Sign up, then sign in with the same password. The API answers sign-up the same whether or not the
 * address had an account (it never says which), so whether the sign-in works is the only outcome:
 * `true` for a new (unverified) account, `false` when the address had one already (its owner got an
 * e-mail instead).
 */
export function useSignUp() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: async (input: SignUpInput): Promise<boolean> => {
      await postJson<unknown>('/api/auth/signup', input)
      try {
        await postJson<unknown>('/api/auth/signin', { email: input.email, password: input.password })
        return true
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return false
        throw error
      }
    },
    meta: { skipAuthRedirect: true },
    onSuccess: () => queryClient.removeQueries({ queryKey: authKeys.me }),
  })
}

export function useSignOut() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: async () => {
      try {
        await postJson<unknown>('/api/auth/signout')
      } catch (error) {
        // Already signed out is fine; anything else is reported.
        if (!(error instanceof ApiError && error.status === 401)) throw error
      }
      await signOutOfClerk()
    },
    meta: { skipAuthRedirect: true },
    onSettled: () => {
      queryClient.setQueryData(authKeys.me, null)
      // The user's MFA status and sessions too: the next user of this tab is not them.
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'auth' || q.queryKey[1] !== 'me' })
    },
  })
}

const SIGNED_OUT_EVERYWHERE = '/auth/signin?signedOut=everywhere'

/** Ends every session of the user (every browser, this one included): the API clears the cookies;
 *  then the sign-in page, which says so, loaded afresh: nothing of the user stays in this tab's memory
 *  (and no page of the panel is left on screen to send them to sign-in with `?next=` first). */
export function useSignOutEverywhere() {
  return useMutation({
    mutationFn: async () => {
      await postJson<unknown>('/api/auth/signout-everywhere')
      await signOutOfClerk()
    },
    meta: { skipAuthRedirect: true },
    onSuccess: () => loadPage(SIGNED_OUT_EVERYWHERE),
  })
}

async function signOutOfClerk() {
  const clerk = (window as { Clerk?: { signOut?: () => Promise<unknown> } }).Clerk
  if (clerk?.signOut) await clerk.signOut()
}
