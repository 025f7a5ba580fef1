import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query'

import { ApiError } from './api-error'

declare module '@tanstack/react-query' {
  interface Register {
    queryMeta: { skipAuthRedirect?: boolean }
    mutationMeta: { skipAuthRedirect?: boolean }
  }
}

export interface QueryClientOptions {
  /** Called when any query or mutation fails with HTTP 401 (session gone). */
  onUnauthorized?: () => void
  /** Retries for failures other than 4xx (tests pass 0). */
  retries?: number
}

function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401
}

export function createQueryClient({ onUnauthorized, retries = 2 }: QueryClientOptions = {}) {
  const handle = (error: unknown, meta?: { skipAuthRedirect?: boolean }) => {
    if (isUnauthorized(error) && !meta?.skipAuthRedirect) onUnauthorized?.()
  }
  return new QueryClient({
    queryCache: new QueryCache({ onError: (error, query) => handle(error, query.meta) }),
    mutationCache: new MutationCache({
      onError: (error, _vars, _ctx, mutation) => handle(error, mutation.meta),
    }),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        retry: (count, error) => {
          if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false
          return count < retries
        },
      },
      mutations: { retry: false },
    },
  })
}

/** The sign-in URL that brings the user back to `path` afterwards. */
export function signInUrl(path: string): string {
  const safe = path.startsWith('/auth') ? '/dashboard' : path
  return `/auth/signin?next=${encodeURIComponent(safe)}`
}
