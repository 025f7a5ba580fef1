import { useState, type FormEvent } from 'react'
import { Loader2, UserPlus } from 'lucide-react'

import { ErrorState } from '@/components/common/ErrorState'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { useAddMember, type Role } from '../api'
import { RoleSelect } from './RoleSelect'

/** Add by e-mail; someone without an account is invited and joins when they sign up. */
export function AddMemberForm({ tenantId, canGrantOwner }: { tenantId: string; canGrantOwner: boolean }) {
  const add = useAddMember(tenantId)
  const [email, setEmail] = useState('')
  const [role, setRole] = useState<Role>('viewer')

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    add.mutate({ email: email.trim(), role }, { onSuccess: () => setEmail('') })
  }

  return (
    <form onSubmit={onSubmit} className="space-y-3" aria-label="Add a member">
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
        <Button type="submit" variant="secondary" disabled={add.isPending}>
          {add.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <UserPlus aria-hidden />}
          Add member
        </Button>
      </div>
      {add.error ? <ErrorState error={add.error} title="Could not add the member" /> : null}
    </form>
  )
}
