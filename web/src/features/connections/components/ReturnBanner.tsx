import { CheckCircle2, XCircle } from 'lucide-react'
import { useSearchParams } from 'react-router'

import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'

/** What happened on Amazon's consent page, from the query the callback redirected with. */
export function ReturnBanner() {
  const [params] = useSearchParams()
  const connected = params.get('connected')
  const error = params.get('error')
  if (connected) {
    return (
      <Alert className="mb-6" role="status">
        <CheckCircle2 />
        <AlertTitle>{connected === 'ads' ? 'Amazon Ads connected' : 'Seller account connected'}</AlertTitle>
        <AlertDescription>
          {connected === 'ads'
            ? 'The advertising profiles found are listed below.'
            : 'The first sync has been queued; orders appear as it progresses.'}
        </AlertDescription>
      </Alert>
    )
  }
  if (error) {
    return (
      <Alert variant="destructive" className="mb-6">
        <XCircle />
        <AlertTitle>Authorization not completed</AlertTitle>
        <AlertDescription>
          {error === 'access_denied' ? 'The authorization was cancelled on Amazon.' : `Amazon answered: ${error}`}
        </AlertDescription>
      </Alert>
    )
  }
  return null
}
