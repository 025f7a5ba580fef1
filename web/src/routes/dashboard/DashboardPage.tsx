import { PageHeader } from '@/components/common/PageHeader'
import { Card, CardContent } from '@/components/ui/card'
import { useCurrentUser } from '@/auth/current-user'
import { CreateTenantForm } from '@/features/tenants/components/CreateTenantForm'
import { TenantList } from '@/features/tenants/components/TenantList'

export function DashboardPage() {
  const user = useCurrentUser()
  return (
    <>
      <PageHeader
        title="Tenants"
        description={`Signed in as ${user.email}. Each tenant holds its own Amazon accounts and data.`}
      />
      <div className="space-y-6">
        <Card>
          <CardContent>
            <CreateTenantForm />
          </CardContent>
        </Card>
        <TenantList />
      </div>
    </>
  )
}
