import { Building2, ChevronRight, Plug } from 'lucide-react'
import type { ReactNode } from 'react'
import { Link } from 'react-router'

import { EmptyState } from '@/components/common/EmptyState'
import { ErrorState } from '@/components/common/ErrorState'
import { Skeleton } from '@/components/ui/skeleton'
import { useTenants } from '../api'
import { RoleBadge } from './RoleBadge'

/** The user's tenants; `status` shows what else the page knows of each, by tenant id (its accounts
 * and health). */
export function TenantList({ status }: { status?: ReadonlyMap<string, ReactNode> }) {
  const tenants = useTenants()

  if (tenants.isPending) {
    return (
      <div className="grid gap-3" role="status" aria-label="Loading tenants">
        {[0, 1, 2].map((i) => (
          <Skeleton key={i} className="h-16 w-full" />
        ))}
      </div>
    )
  }
  if (tenants.isError) {
    return <ErrorState error={tenants.error} title="Could not load your tenants" onRetry={() => void tenants.refetch()} />
  }
  if (tenants.data.length === 0) {
    return (
      <EmptyState
        icon={Building2}
        title="No tenants yet"
        description="Create a tenant for each client or brand; you will own it and can invite your team."
      />
    )
  }
  return (
    <ul className="divide-y rounded-xl border" aria-label="Your tenants">
      {tenants.data.map((tenant) => (
        <li key={tenant.id} className="flex items-center gap-3 p-4">
          <div className="bg-muted flex size-10 shrink-0 items-center justify-center rounded-lg">
            <Building2 className="size-5" aria-hidden />
          </div>
          <div className="min-w-0 flex-1">
            <Link to={`/dashboard/tenants/${tenant.id}`} className="font-medium hover:underline">
              {tenant.name}
            </Link>
            <p className="text-muted-foreground truncate text-xs">{tenant.slug}</p>
            {status?.has(tenant.id) ? <div className="mt-1">{status.get(tenant.id)}</div> : null}
          </div>
          <RoleBadge role={tenant.role} />
          <Link
            to={`/dashboard/tenants/${tenant.id}/integrations/amazon`}
            className="text-muted-foreground hover:text-foreground hidden items-center gap-1 text-sm sm:flex"
          >
            <Plug className="size-4" aria-hidden />
            Amazon
          </Link>
          <Link to={`/dashboard/tenants/${tenant.id}`} aria-label={`Open ${tenant.name}`}>
            <ChevronRight className="text-muted-foreground size-4" aria-hidden />
          </Link>
        </li>
      ))}
    </ul>
  )
}
