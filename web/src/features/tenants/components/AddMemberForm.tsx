import { useState, type FormEvent } from 'react'
import { Loader2, Send } from 'lucide-react'

import { ErrorState } from '@/components/common/ErrorState'
import { MfaNeeded } from '@/features/mfa/components/MfaNeeded'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import type { Role } from '../api'
import { useInvite } from '../invitations'
import { RoleSelect } from './RoleSelect'

/**
 * Invite by e-mail: the address gets a single-use link and joins when it accepts, signed in with that
 * address, verified. Nobody becomes a member by being named here.
 */
export function AddMemberForm({ tenantId, canGrantOwner }: { tenantId: string; canGrantOwner: boolean }) {
  const invite = useInvite(tenantId)
  const [email, setEmail] = useState('')
  const [role, setRole] = useState<Role>('viewer')
  const [sentTo, setSentTo] = useState<string | null>(null)

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const address = email.trim()
    invite.mutate(
      { email: address, role },
      {
        onSuccess: () => {
          setEmail('')
          setSentTo(address)
        },
      },
    )
  }

  return (
    <form onSubmit={onSubmit} className="space-y-3" aria-label="Invite a member">
      <div className="flex flex-col gap-2 sm:flex-row sm:items-end">
        <div className="grid flex-1 gap-2">
          <Label htmlFor="member-email">Invite by email</Label>
          <Input
            id="member-email"
            type="email"
            placeholder="teammate@agency.com"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <RoleSelect
          id="member-role"
          label="Role of the new member"
          value={role}
          onChange={(next) => setRole(next === 'owner' && !canGrantOwner ? 'admin' : next)}
        />
        <Button type="submit" variant="secondary" disabled={invite.isPending}>
          {invite.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <Send aria-hidden />}
          Send invitation
        </Button>
      </div>
      {sentTo && !invite.error ? (
        <p className="text-muted-foreground text-sm" role="status">
          Invitation sent to {sentTo}. They join once they accept it from that address.
        </p>
      ) : null}
      {invite.error ? <ErrorState error={invite.error} title="Could not send the invitation" /> : null}
      <MfaNeeded error={invite.error} />
    </form>
  )
}
