import { useState, type ReactNode } from 'react'
import { ShieldCheck } from 'lucide-react'

import { ErrorState } from '@/components/common/ErrorState'
import { Badge } from '@/components/ui/badge'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Separator } from '@/components/ui/separator'
import { Skeleton } from '@/components/ui/skeleton'
import { useMfaStatus } from '../api'
import { DisableMfa } from './DisableMfa'
import { Enrolment } from './EnrolmentCard'
import { RecoveryCodes } from './RecoveryCodes'
import { RegenerateRecoveryCodes } from './RegenerateRecoveryCodes'

/** Recovery codes on screen, once: just after enrolment, or just made anew. */
interface FreshCodes {
  codes: string[]
  afterEnrolment: boolean
}

/**
 * Two-factor authentication: its state (On as soon as the first code is accepted, while the recovery
 * codes are still on screen), enrolment, new recovery codes, turning it off. `onEnrolled` runs when the
 * user is done with the codes of a new enrolment.
 */
export function TwoFactorCard({ onEnrolled, children }: { onEnrolled?: () => void; children?: ReactNode }) {
  const status = useMfaStatus()
  const [fresh, setFresh] = useState<FreshCodes | null>(null)
  const enabled = Boolean(status.data?.enabled || fresh?.afterEnrolment)

  const doneWithCodes = () => {
    const afterEnrolment = fresh?.afterEnrolment
    setFresh(null)
    if (afterEnrolment) onEnrolled?.()
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          Authenticator app (TOTP)
          {status.data ? (
            <Badge variant={enabled ? 'default' : 'secondary'} data-testid="mfa-state">
              {enabled ? 'On' : 'Off'}
            </Badge>
          ) : null}
        </CardTitle>
        <CardDescription>After your password, sign-in asks for a 6-digit code from an app on your phone.</CardDescription>
      </CardHeader>
      <CardContent>
        {status.isPending ? <Skeleton className="h-24 w-full" /> : null}
        {status.isError ? <ErrorState error={status.error} title="Could not load your security settings" /> : null}
        {fresh ? <RecoveryCodes codes={fresh.codes} onDone={doneWithCodes} /> : null}
        {!fresh && status.data && !enabled ? (
          <Enrolment onConfirmed={(codes) => setFresh({ codes, afterEnrolment: true })} />
        ) : null}
        {!fresh && status.data && enabled ? (
          <div className="space-y-6">
            <p className="flex items-center gap-2 text-sm">
              <ShieldCheck className="size-4" aria-hidden />
              Two-factor authentication is on. {status.data.recovery_codes_left} recovery codes left.
            </p>
            {children}
            <RegenerateRecoveryCodes onCodes={(codes) => setFresh({ codes, afterEnrolment: false })} />
            <Separator />
            <div className="max-w-sm">
              <DisableMfa />
            </div>
          </div>
        ) : null}
      </CardContent>
    </Card>
  )
}
