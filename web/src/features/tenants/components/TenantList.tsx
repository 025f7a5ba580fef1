import { Building2, ChevronRight, Plug } from 'lucide-react'
import { useState, type ReactNode } from 'react'
import { Link } from 'react-router'

import { EmptyState } from '@/components/common/EmptyState'
import { ErrorState } from '@/components/common/ErrorState'
import { Input } from '@/components/ui/input'
import { Skeleton } from '@/components/ui/skeleton'
import { useTenants, type Tenant } from '../api'
import { RoleBadge } from './RoleBadge'

function TenantRow({ tenant, status }: { tenant: Tenant; status: ReactNode }) {
  return (
    <li className="flex items-center gap-3 p-4">
      <div className="bg-muted flex size-10 shrink-0 items-center justify-center rounded-lg">
        <Building2 className="size-5" aria-hidden />
      </div>
      <div className="min-w-0 flex-1">
        <Link to={`/dashboard/tenants/${tenant.id}`} className="font-medium hover:underline">
          {tenant.name}
        </Link>
        <p className="text-muted-foreground truncate text-xs">{tenant.slug}</p>
        {status ? <div className="mt-1">{status}</div> : null}
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
  )
}

// The search box shows from this many tenants on.
const FIND_FROM = 5

/** The user's tenants; `status` shows what else the page knows of each, by tenant id (its accounts
 * and health). */
export function TenantList({ status }: { status?: ReadonlyMap<string, ReactNode> }) {
  const tenants = useTenants()
  const [query, setQuery] = useState('')

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
  // An agency has a tenant per client: past a handful, finding one by name beats scrolling.
  const needle = query.trim().toLowerCase()
  const shown = needle
    ? tenants.data.filter((t) => t.name.toLowerCase().includes(needle) || t.slug.includes(needle))
    : tenants.data
  return (
    <div className="space-y-3">
      {tenants.data.length > FIND_FROM ? (
        <Input
          type="search"
          aria-label="Find a tenant"
          placeholder={`Find one of your ${tenants.data.length} tenants by name`}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          className="max-w-sm"
        />
      ) : null}
      {shown.length === 0 ? (
        <p className="text-muted-foreground text-sm">No tenant matches “{query.trim()}”.</p>
      ) : (
        <ul className="divide-y rounded-xl border" aria-label="Your tenants">
          {shown.map((tenant) => (
            <TenantRow key={tenant.id} tenant={tenant} status={status?.get(tenant.id)} />
          ))}
        </ul>
      )}
    </div>
  )
}
