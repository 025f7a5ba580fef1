import { AlertCircle, RotateCw } from 'lucide-react'

import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { ApiError, errorMessage } from '@/lib/api-error'

interface ErrorStateProps {
  error: unknown
  title?: string
  onRetry?: () => void
  className?: string
}

/** Shows an API error (message + request id for support) with an optional retry. */
export function ErrorState({ error, title = 'Something went wrong', onRetry, className }: ErrorStateProps) {
  const requestId = error instanceof ApiError ? error.requestId : null
  return (
    <Alert variant="destructive" className={className}>
      <AlertCircle />
      <AlertTitle>{title}</AlertTitle>
      <AlertDescription>
        <p>{errorMessage(error)}</p>
        {requestId ? (
          <p className="text-muted-foreground font-mono text-xs">Request ID: {requestId}</p>
        ) : null}
        {onRetry ? (
          <Button variant="outline" size="sm" className="mt-2" onClick={onRetry}>
            <RotateCw />
            Try again
          </Button>
        ) : null}
      </AlertDescription>
    </Alert>
  )
}
