import { useEffect, useRef } from 'react'
import { CheckCircle2, Loader2 } from 'lucide-react'
import { Link, useLocation } from 'react-router'

import { Button } from '@/components/ui/button'
import { linkToken, takePendingInvitation, useVerifyEmail } from '@/features/account/api'
import { AuthLayout } from './AuthLayout'
import { FormError } from './FormError'

/** The landing page of the verification link (/auth/verify#token=...): spends the link once. */
export function VerifyEmailPage() {
  const token = linkToken(useLocation())
  const verify = useVerifyEmail()
  const sent = useRef(false)

  useEffect(() => {
    // Once per page, even when React runs effects twice in development.
    if (sent.current || !token) return
    sent.current = true
    verify.mutate(token)
  }, [token, verify])

  const invitation = verify.isSuccess ? takePendingInvitation() : null
  return (
    <AuthLayout>
      <div className="flex flex-col items-center gap-4 text-center">
        {!token ? <FormError error={new Error('This link has no token.')} title="Could not verify" /> : null}
        {verify.isPending ? <Loader2 className="text-muted-foreground size-8 animate-spin" aria-label="Verifying" /> : null}
        <FormError error={verify.error} title="Could not verify the address" />
        {verify.isSuccess ? (
          <>
            <CheckCircle2 className="size-10 text-emerald-600" aria-hidden />
            <h1 className="text-2xl font-semibold tracking-tight">E-mail address verified</h1>
            <p className="text-muted-foreground text-sm">You can now accept invitations to other tenants.</p>
            <Button asChild>
              <Link to={invitation ?? '/dashboard'}>{invitation ? 'Continue to the invitation' : 'Continue'}</Link>
            </Button>
          </>
        ) : null}
      </div>
    </AuthLayout>
  )
}
