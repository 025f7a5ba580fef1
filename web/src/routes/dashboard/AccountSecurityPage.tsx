import { ShieldAlert, ShieldCheck } from 'lucide-react'
import { Link, useNavigate, useSearchParams } from 'react-router'

import { ErrorState } from '@/components/common/ErrorState'
import { PageHeader } from '@/components/common/PageHeader'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Badge } from '@/components/ui/badge'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { nextPath } from '@/auth/queries'
import { useMfaStatus, useRefreshMfaStatus } from '@/features/mfa/api'
import { DisableMfa } from '@/features/mfa/components/DisableMfa'
import { Enrolment } from '@/features/mfa/components/EnrolmentCard'

/** Two-factor authentication: enrol (QR or key, first code, recovery codes once) or turn it off.
 *  `?next=` (a page that needed MFA, e.g. a buyer address) is where "Done" goes back to. */
export function AccountSecurityPage() {
  const [params] = useSearchParams()
  const navigate = useNavigate()
  const rawNext = params.get('next')
  const next = rawNext ? nextPath(rawNext) : null
  const status = useMfaStatus()
  const refresh = useRefreshMfaStatus()
  const enrolled = async () => {
    await refresh()
    if (next) navigate(next)
  }

  return (
    <>
      <PageHeader title="Account security" description="Two-factor authentication for your account." />
      {next && status.data && !status.data.enabled ? (
        <Alert className="mb-6">
          <ShieldAlert />
          <AlertTitle>Two-factor authentication is required</AlertTitle>
          <AlertDescription>
            Buyer addresses and owner actions need it (Amazon's data protection rules). Set it up to continue.
          </AlertDescription>
        </Alert>
      ) : null}
      <Card>
        <CardHeader>
          <CardTitle className="flex items-center gap-2">
            Authenticator app (TOTP)
            {status.data ? (
              <Badge variant={status.data.enabled ? 'default' : 'secondary'}>{status.data.enabled ? 'On' : 'Off'}</Badge>
            ) : null}
          </CardTitle>
          <CardDescription>
            After your password, sign-in asks for a 6-digit code from an app on your phone.
          </CardDescription>
        </CardHeader>
        <CardContent>
          {status.isPending ? <Skeleton className="h-24 w-full" /> : null}
          {status.isError ? <ErrorState error={status.error} title="Could not load your security settings" /> : null}
          {status.data && !status.data.enabled ? (
            <Enrolment onDone={() => void enrolled()} />
          ) : null}
          {status.data?.enabled ? (
            <div className="space-y-6">
              <p className="flex items-center gap-2 text-sm">
                <ShieldCheck className="size-4" aria-hidden />
                Two-factor authentication is on. {status.data.recovery_codes_left} recovery codes left.
              </p>
              {next ? (
                <Link to={next} className="text-sm font-medium underline underline-offset-4">
                  Back to where you were
                </Link>
              ) : null}
              <div className="max-w-sm">
                <DisableMfa />
              </div>
            </div>
          ) : null}
        </CardContent>
      </Card>
    </>
  )
}
