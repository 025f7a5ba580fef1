import { PageHeader } from '@/components/common/PageHeader'
import { Card, CardContent } from '@/components/ui/card'
import { useCurrentUser } from '@/auth/current-user'
import { useTenantsAttention } from '@/features/health/api'
import { TenantAttention } from '@/features/health/components/TenantAttention'
import { CreateTenantForm } from '@/features/tenants/components/CreateTenantForm'
import { TenantList } from '@/features/tenants/components/TenantList'

export function DashboardPage() {
  const user = useCurrentUser()
  const attention = useTenantsAttention()
  const status = new Map(attention.data?.map((a) => [a.tenant_id, <TenantAttention key={a.tenant_id} attention={a} />]))
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
        <TenantList status={status} />
      </div>
    </>
  )
}
