import { AlertCircle } from 'lucide-react'

import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { ApiError, errorMessage } from '@/lib/api-error'

export function FormError({ error, title }: { error: unknown; title: string }) {
  if (!error) return null
  const requestId = error instanceof ApiError ? error.requestId : null
  const reasons = error instanceof ApiError ? error.reasons : []
  return (
    <Alert variant="destructive">
      <AlertCircle />
      <AlertTitle>{title}</AlertTitle>
      <AlertDescription>
        {reasons.length > 1 ? (
          <ul className="list-disc pl-4">
            {reasons.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
        ) : (
          <p>{errorMessage(error)}</p>
        )}
        {requestId ? <p className="font-mono text-xs opacity-80">Request ID: {requestId}</p> : null}
      </AlertDescription>
    </Alert>
  )
}
