import { isRouteErrorResponse, useRouteError } from 'react-router'

import { ErrorState } from '@/components/common/ErrorState'
import { NotFoundPage } from './NotFoundPage'

/** Last-resort error boundary for a route (render errors, failed lazy chunks). */
export function RouteError() {
  const error = useRouteError()
  if (isRouteErrorResponse(error) && error.status === 404) return <NotFoundPage />
  return (
    <div className="flex min-h-svh items-center justify-center p-6">
      <ErrorState
        className="w-full max-w-md"
        title="This page failed to load"
        error={error}
        onRetry={() => window.location.reload()}
      />
    </div>
  )
}
