import { useState } from 'react'
import { Link, useLocation } from 'react-router'

import { errorCode } from '@/lib/api-error'
import { MFA_REQUIRED, MFA_STEP_UP_REQUIRED, securityPath, useVerifySession } from '../api'
import { CodeForm } from './CodeForm'

/**
 * What to do about an action refused for want of a second factor (owner actions:
 * app/tenants/permissions.py): without MFA, a link to turn it on and come back; with MFA but a session
 * that has not proved it, a code for this session. Nothing for any other error.
 */
export function MfaNeeded({ error }: { error: unknown }) {
  const code = errorCode(error)
  if (code === MFA_REQUIRED) return <EnrolFirst />
  if (code === MFA_STEP_UP_REQUIRED) return <VerifySession />
  return null
}

function EnrolFirst() {
  const { pathname, search } = useLocation()
  return (
    <Link to={securityPath(pathname + search)} className="text-sm font-medium underline underline-offset-4">
      Set up two-factor authentication
    </Link>
  )
}

function VerifySession() {
  const verify = useVerifySession()
  const [verified, setVerified] = useState(false)
  if (verified) return <p className="text-sm">Verified. Try again.</p>
  return (
    <div className="max-w-xs">
      <CodeForm
        submitLabel="Verify this session"
        pending={verify.isPending}
        error={verify.error}
        errorTitle="Could not verify"
        acceptsRecoveryCode
        onSubmit={(value) => verify.mutate(value, { onSuccess: () => setVerified(true) })}
      />
    </div>
  )
}
