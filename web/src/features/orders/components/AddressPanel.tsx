import { MapPin, ShieldAlert } from 'lucide-react'

import { ErrorState } from '@/components/common/ErrorState'
import { Button } from '@/components/ui/button'
import { useOrderAddress } from '../api'

/**
 * "Show address": asks the API, which asks Amazon right now. The address lives only in this
 * component's memory (a mutation result, never cached) and each view is recorded in the audit log.
 */
export function AddressPanel({ tenantId, orderId }: { tenantId: string; orderId: number }) {
  const address = useOrderAddress(tenantId)
  const data = address.data
  if (!data) {
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
        {address.isError ? <ErrorState error={address.error} title="Could not fetch the address" /> : null}
      </div>
    )
  }
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
