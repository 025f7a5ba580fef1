import { Link2, Link2Off } from 'lucide-react'

import { Label } from '@/components/ui/label'
import { SELECT } from '@/features/reports/sellers'
import type { AdsProfile } from '../types'

/** "Acme US · US · USD": the account, where it advertises, the currency its figures are in. */
function profileLabel(profile: AdsProfile): string {
  return [profile.account_name || profile.profile_id, profile.country_code, profile.currency_code]
    .filter(Boolean)
    .join(' · ')
}

/** Which advertising profile the page shows, and the seller account it is linked to (TACOS needs one). */
export function ProfilePicker({
  profiles,
  value,
  onChange,
}: {
  profiles: AdsProfile[]
  value: AdsProfile
  onChange: (profileId: string) => void
}) {
  return (
    <div className="min-w-0 space-y-1.5">
      <Label htmlFor="ads-profile">Advertising profile</Label>
      <select
        id="ads-profile"
        className={SELECT}
        value={value.profile_id}
        onChange={(e) => onChange(e.target.value)}
      >
        {profiles.map((p) => (
          <option key={p.profile_id} value={p.profile_id}>
            {profileLabel(p)}
          </option>
        ))}
      </select>
      <p className="text-muted-foreground flex items-center gap-1.5 text-xs" data-testid="ads-linked-seller">
        {value.linked_sp_connection_id ? (
          <>
            <Link2 className="size-3.5 shrink-0" aria-hidden />
            <span className="truncate">
              Linked to seller <span className="text-foreground font-medium">{value.linked_seller_name ?? value.linked_sp_connection_id}</span>
              {value.marketplace_id ? ` (${value.marketplace_id})` : null}
            </span>
          </>
        ) : (
          <>
            <Link2Off className="size-3.5 shrink-0" aria-hidden />
            <span>Not linked to a seller account: no total sales, TACOS or organic sales.</span>
          </>
        )}
      </p>
    </div>
  )
}
