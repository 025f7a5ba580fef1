import { useEffect } from 'react'
import { Lock, MapPin, ShieldAlert } from 'lucide-react'
import { useLocation, useNavigate } from 'react-router'

import { ErrorState } from '@/components/common/ErrorState'
import { Button } from '@/components/ui/button'
import { MFA_REQUIRED, MFA_STEP_UP_REQUIRED, securityPath, useVerifySession } from '@/features/mfa/api'
import { CodeForm } from '@/features/mfa/components/CodeForm'
import { useTenant } from '@/features/tenants/api'
import { errorCode } from '@/lib/api-error'
import { useOrderAddress, type ShippingAddress } from '../api'

/** Said by the API too (app/tenants/permissions.py): buyer PII is need-to-know. */
export const VIEWER_REASON = 'Only owners and admins can see buyer addresses'

/**
 * "Show address": asks the API, which asks Amazon right now. The address lives only in this
 * component's memory (a mutation result, never cached) and each view is recorded in the audit log.
 * Viewers may not see it; owners and admins need two-factor authentication: without it they are
 * sent to set it up, and a session that has not proved it yet is asked for a code here.
 */
export function AddressPanel({ tenantId, orderId }: { tenantId: string; orderId: number }) {
  const address = useOrderAddress(tenantId)
  const verify = useVerifySession()
  const role = useTenant(tenantId).data?.role
  const navigate = useNavigate()
  const location = useLocation()
  const code = errorCode(address.error)

  useEffect(() => {
    if (code === MFA_REQUIRED) navigate(securityPath(`${location.pathname}${location.search}`))
  }, [code, navigate, location.pathname, location.search])

  if (address.data) return <AddressView data={address.data} />
  if (role === 'viewer') {
    return (
      <div className="space-y-2">
        <Button variant="outline" size="sm" disabled>
          <Lock />
          Show address
        </Button>
        <p className="text-muted-foreground text-xs">{VIEWER_REASON}.</p>
      </div>
    )
  }
  if (code === MFA_STEP_UP_REQUIRED) {
    return (
      <div className="max-w-xs space-y-2">
        <p className="text-sm">Enter a code from your authenticator app to see the buyer's address.</p>
        <CodeForm
          submitLabel="Verify and show address"
          pending={verify.isPending || address.isPending}
          error={verify.error}
          errorTitle="Could not verify"
          acceptsRecoveryCode
          onSubmit={(value) => verify.mutate(value, { onSuccess: () => address.mutate(orderId) })}
        />
      </div>
    )
  }
  return (
    <div className="space-y-2">
      <p className="text-muted-foreground flex items-center gap-2 text-xs">
        <ShieldAlert className="size-4" aria-hidden />
        Buyer data is fetched from Amazon on demand, never stored, and each view is audited.
      </p>
      <Button variant="outline" size="sm" disabled={address.isPending} onClick={() => address.mutate(orderId)}>
        <MapPin />
        {address.isPending ? 'Fetching address…' : 'Show address'}
      </Button>
      {address.isError && code !== MFA_REQUIRED ? (
        <ErrorState error={address.error} title="Could not fetch the address" />
      ) : null}
    </div>
  )
}

function AddressView({ data }: { data: ShippingAddress }) {
  if (!data.available) {
    return <p className="text-muted-foreground text-sm">Amazon has no shipping address for this order (yet).</p>
  }
  const lines = [
    data.name,
    data.address_line1,
    data.address_line2,
    data.address_line3,
    [[data.city, data.state_or_region].filter(Boolean).join(', '), data.postal_code].filter(Boolean).join(' '),
    data.country_code,
    data.phone,
  ].filter(Boolean)
  return (
    <address data-testid="shipping-address" className="bg-muted/50 rounded-md border p-3 text-sm not-italic">
      {lines.map((line, i) => (
        <div key={i}>{line}</div>
      ))}
    </address>
  )
}
