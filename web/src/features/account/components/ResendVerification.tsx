import { Loader2 } from 'lucide-react'

import { Button } from '@/components/ui/button'
import { errorMessage } from '@/lib/api-error'
import { useResendVerification } from '../api'

export function ResendVerification() {
  const resend = useResendVerification()
  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <Button variant="outline" size="sm" onClick={() => resend.mutate()} disabled={resend.isPending}>
        {resend.isPending ? <Loader2 className="animate-spin" aria-hidden /> : null}
        Send the link again
      </Button>
      {resend.isSuccess ? <span role="status">Sent: check your inbox.</span> : null}
      {resend.error ? <span className="text-destructive">{errorMessage(resend.error)}</span> : null}
    </span>
  )
}
