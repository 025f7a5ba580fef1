import { Trash2 } from 'lucide-react'

import { ErrorState } from '@/components/common/ErrorState'
import { MfaNeeded } from '@/features/mfa/components/MfaNeeded'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { useCurrentUser } from '@/auth/current-user'
import { canManage, useChangeRole, useMembers, useRemoveMember, type Role } from '../api'
import { AddMemberForm } from './AddMemberForm'
import { PendingInvitations } from './PendingInvitations'
import { RoleBadge } from './RoleBadge'
import { RoleSelect } from './RoleSelect'

export function MembersCard({ tenantId, myRole }: { tenantId: string; myRole: Role }) {
  const me = useCurrentUser()
  const members = useMembers(tenantId)
  const changeRole = useChangeRole(tenantId)
  const remove = useRemoveMember(tenantId)
  const manager = canManage(myRole)
  const mutationError = changeRole.error ?? remove.error

  return (
    <Card>
      <CardHeader>
        <CardTitle>Members</CardTitle>
        <CardDescription>Owners and admins connect accounts and change settings; viewers look.</CardDescription>
      </CardHeader>
      <CardContent className="space-y-4">
        {members.isPending ? <Skeleton className="h-24 w-full" /> : null}
        {members.isError ? <ErrorState error={members.error} title="Could not load members" /> : null}
        {members.data ? (
          <ul className="divide-y rounded-lg border" aria-label="Members">
            {members.data.map((member) => {
              // Only owners touch the owner role; nobody edits themselves here.
              const editable = manager && member.user_id !== me.id && (myRole === 'owner' || member.role !== 'owner')
              return (
                <li key={member.user_id} className="flex flex-wrap items-center gap-2 p-3 text-sm">
                  <div className="min-w-0 flex-1">
                    <p className="truncate font-medium">{member.email}</p>
                    {member.has_signed_up ? null : (
                      <Badge variant="outline" className="mt-1">
                        Invited
                      </Badge>
                    )}
                  </div>
                  {editable ? (
                    <>
                      <RoleSelect
                        label={`Role of ${member.email}`}
                        value={member.role}
                        onChange={(role) => changeRole.mutate({ userId: member.user_id, role })}
                        disabled={changeRole.isPending}
                      />
                      <Button
                        variant="ghost"
                        size="icon"
                        aria-label={`Remove ${member.email}`}
                        onClick={() => remove.mutate(member.user_id)}
                        disabled={remove.isPending}
                      >
                        <Trash2 aria-hidden />
                      </Button>
                    </>
                  ) : (
                    <RoleBadge role={member.role} />
                  )}
                </li>
              )
            })}
          </ul>
        ) : null}
        {mutationError ? <ErrorState error={mutationError} title="Could not change the member" /> : null}
        <MfaNeeded error={mutationError} />
        {manager ? <PendingInvitations tenantId={tenantId} myRole={myRole} /> : null}
        {manager ? <AddMemberForm tenantId={tenantId} canGrantOwner={myRole === 'owner'} /> : null}
      </CardContent>
    </Card>
  )
}
