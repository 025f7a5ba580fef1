import { MailWarning } from 'lucide-react'

import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { useCurrentUser } from '@/auth/current-user'
import { ResendVerification } from './ResendVerification'

/** Until the address is verified: the account runs its own tenants but cannot accept invitations. */
export function VerifyEmailBanner() {
  const me = useCurrentUser()
  if (me.email_verified) return null
  return (
    <Alert className="mb-6">
      <MailWarning />
      <AlertTitle>Verify your e-mail address</AlertTitle>
      <AlertDescription>
        <p>
          We sent a link to {me.email}. Open it to confirm the address; you need it to accept invitations to other
          tenants.
        </p>
        <ResendVerification />
      </AlertDescription>
    </Alert>
  )
}
