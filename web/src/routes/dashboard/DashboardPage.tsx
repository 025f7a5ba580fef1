import { Building2, Plus } from 'lucide-react'

import { EmptyState } from '@/components/common/EmptyState'
import { PageHeader } from '@/components/common/PageHeader'
import { Button } from '@/components/ui/button'
import { useCurrentUser } from '@/auth/current-user'

export function DashboardPage() {
  const user = useCurrentUser()
  return (
    <>
      <PageHeader
        title="Tenants"
        description={`Signed in as ${user.email}. Each tenant holds its own Amazon accounts and data.`}
        actions={
          <Button disabled title="Available soon">
            <Plus />
            New tenant
          </Button>
        }
      />
      <EmptyState
        icon={Building2}
        title="No tenants yet"
        description="Tenants you create or are invited to will be listed here, with their connected seller accounts and sync health."
      />
    </>
  )
}
