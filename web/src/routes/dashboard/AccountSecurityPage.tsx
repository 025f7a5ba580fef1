import { ShieldAlert } from 'lucide-react'
import { Link, useNavigate, useSearchParams } from 'react-router'

import { PageHeader } from '@/components/common/PageHeader'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { nextPath } from '@/auth/queries'
import { SessionsCard } from '@/features/account/components/SessionsCard'
import { useMfaStatus } from '@/features/mfa/api'
import { TwoFactorCard } from '@/features/mfa/components/TwoFactorCard'

/** The signed-in user's security: two-factor authentication (enrol, new recovery codes, turn off) and
 *  where they are signed in. `?next=` (a page that needed MFA, e.g. a buyer address or an owner action)
 *  is where "Done" goes back to once MFA is on. */
export function AccountSecurityPage() {
  const [params] = useSearchParams()
  const navigate = useNavigate()
  const rawNext = params.get('next')
  const next = rawNext ? nextPath(rawNext) : null
  const status = useMfaStatus()

  return (
    <>
      <PageHeader title="Security" description="Two-factor authentication and the browsers signed in to your account." />
      {next && status.data && !status.data.enabled ? (
        <Alert className="mb-6">
          <ShieldAlert />
          <AlertTitle>Two-factor authentication is required</AlertTitle>
          <AlertDescription>
            Buyer addresses and owner actions need it (Amazon's data protection rules). Set it up to continue.
          </AlertDescription>
        </Alert>
      ) : null}
      <div className="space-y-6">
        <TwoFactorCard onEnrolled={() => (next ? navigate(next) : undefined)}>
          {next ? (
            <Link to={next} className="block text-sm font-medium underline underline-offset-4">
              Back to where you were
            </Link>
          ) : null}
        </TwoFactorCard>
        <SessionsCard />
      </div>
    </>
  )
}
