import { ShieldAlert } from 'lucide-react'
import { Link, useLocation } from 'react-router'

import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { useTenants } from '@/features/tenants/api'
import { securityPath, useMfaStatus } from '../api'

/** An owner without a second factor cannot use any owner-only action (granting, changing or
 *  removing the owner role: app/tenants/permissions.py). Said in the panel's frame on every page
 *  until MFA is on, except on the security page itself, where the enrolment is. */
export function OwnerMfaBanner() {
  const { pathname, search } = useLocation()
  const tenants = useTenants()
  const status = useMfaStatus()
  const owned = (tenants.data ?? []).filter((t) => t.role === 'owner')
  if (!status.data || status.data.enabled || owned.length === 0) return null
  if (pathname === securityPath()) return null
  return (
    <Alert className="mb-6" data-testid="owner-mfa-banner">
      <ShieldAlert />
      <AlertTitle>Turn on two-factor authentication</AlertTitle>
      <AlertDescription>
        <p>
          You are an owner of {owned.map((t) => t.name).join(', ')}. Owner actions (adding, changing or removing
          owners) and buyer addresses need two-factor authentication.
        </p>
        <Link to={securityPath(pathname + search)} className="font-medium underline underline-offset-4">
          Set up two-factor authentication
        </Link>
      </AlertDescription>
    </Alert>
  )
}
