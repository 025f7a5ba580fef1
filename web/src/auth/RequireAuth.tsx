import type { ReactNode } from 'react'
import { Navigate, useLocation } from 'react-router'

import { ErrorState } from '@/components/common/ErrorState'
import { FullPageLoader } from '@/components/common/FullPageLoader'
import { signInUrl } from '@/lib/query-client'
import { useMe, type CurrentUser } from './queries'
import { CurrentUserContext } from './current-user'

/**
 * Everything under /dashboard goes through here: asks `GET /api/auth/me`,
 * redirects to sign-in on 401, shows a loader meanwhile and an error with retry otherwise.
 */
export function RequireAuth({ children }: { children: ReactNode }) {
  const location = useLocation()
  const me = useMe()

  if (me.isPending || (me.isFetching && !me.data)) {
    return <FullPageLoader label="Checking your session…" />
  }
  if (me.isError) {
    return (
      <div className="flex min-h-svh items-center justify-center p-6">
        <ErrorState
          className="w-full max-w-md"
          title="Could not check your session"
          error={me.error}
          onRetry={() => void me.refetch()}
        />
      </div>
    )
  }
  if (me.data === null) {
    const here = `${location.pathname}${location.search}${location.hash}`
    return <Navigate to={signInUrl(here)} replace />
  }
  return <CurrentUserContext value={me.data as CurrentUser}>{children}</CurrentUserContext>
}
