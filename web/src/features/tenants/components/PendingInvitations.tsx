import { X } from 'lucide-react'

import { ErrorState } from '@/components/common/ErrorState'
import { MfaNeeded } from '@/features/mfa/components/MfaNeeded'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import type { Role } from '../api'
import { useInvitations, useRevokeInvitation } from '../invitations'
import { RoleBadge } from './RoleBadge'

/** Invitations not accepted yet, with revoke; owners and admins only (an owner's invitation: owners only). */
export function PendingInvitations({ tenantId, myRole }: { tenantId: string; myRole: Role }) {
  const invitations = useInvitations(tenantId, true)
  const revoke = useRevokeInvitation(tenantId)

  if (invitations.isError) {
    return <ErrorState error={invitations.error} title="Could not load the invitations" />
  }
  if (!invitations.data || invitations.data.length === 0) return null
  return (
    <div className="space-y-2">
      <h3 className="text-sm font-medium">Pending invitations</h3>
      <ul className="divide-y rounded-lg border" aria-label="Pending invitations">
        {invitations.data.map((invitation) => (
          <li key={invitation.id} className="flex flex-wrap items-center gap-2 p-3 text-sm">
            <div className="min-w-0 flex-1">
              <p className="truncate font-medium">{invitation.email}</p>
              <p className="text-muted-foreground text-xs">
                {invitation.expired
                  ? 'Expired: invite the address again to send a new link'
                  : `Expires ${new Date(invitation.expires_at).toLocaleDateString()}`}
              </p>
            </div>
            {invitation.expired ? <Badge variant="outline">Expired</Badge> : null}
            <RoleBadge role={invitation.role} />
            {myRole === 'owner' || invitation.role !== 'owner' ? (
              <Button
                variant="ghost"
                size="icon"
                aria-label={`Revoke the invitation of ${invitation.email}`}
                onClick={() => revoke.mutate(invitation.id)}
                disabled={revoke.isPending}
              >
                <X aria-hidden />
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
      {revoke.error ? <ErrorState error={revoke.error} title="Could not revoke the invitation" /> : null}
      <MfaNeeded error={revoke.error} />
    </div>
  )
}
