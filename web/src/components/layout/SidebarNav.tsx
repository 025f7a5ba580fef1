import { NavLink, useParams } from 'react-router'
import { Store } from 'lucide-react'

import { useCurrentUser } from '@/auth/current-user'
import { canManage, useTenant } from '@/features/tenants/api'
import { APP_NAME } from '@/lib/config'
import { cn } from '@/lib/utils'
import { tenantNav, workspaceNav, type NavItem } from './nav'

function NavGroup({ title, items, onNavigate }: { title: string; items: NavItem[]; onNavigate?: () => void }) {
  return (
    <div className="space-y-1">
      <p className="text-muted-foreground px-3 pb-1 text-xs font-medium">{title}</p>
      <ul className="space-y-0.5">
        {items.map(({ label, to, icon: Icon, end }) => (
          <li key={to}>
            <NavLink
              to={to}
              end={end}
              onClick={onNavigate}
              className={({ isActive }) =>
                cn(
                  'flex h-9 items-center gap-2.5 rounded-md px-3 text-sm transition-colors',
                  'hover:bg-sidebar-accent hover:text-sidebar-accent-foreground',
                  isActive
                    ? 'bg-sidebar-accent text-sidebar-accent-foreground font-medium'
                    : 'text-sidebar-foreground/80',
                )
              }
            >
              <Icon className="size-4 shrink-0" aria-hidden />
              <span className="truncate">{label}</span>
            </NavLink>
          </li>
        ))}
      </ul>
    </div>
  )
}

function TenantNavGroup({ tenantId, onNavigate }: { tenantId: string; onNavigate?: () => void }) {
  const tenant = useTenant(tenantId)
  return <NavGroup title="Tenant" items={tenantNav(tenantId, canManage(tenant.data?.role))} onNavigate={onNavigate} />
}

/** Sidebar body: brand, workspace links and, when a tenant is open, its sections. */
export function SidebarNav({ onNavigate, showUser = false }: { onNavigate?: () => void; showUser?: boolean }) {
  const { id } = useParams()
  return (
    <div className="flex h-full flex-col">
      <div className="flex h-14 items-center gap-2 border-b px-4 font-semibold">
        <div className="bg-primary text-primary-foreground flex size-7 items-center justify-center rounded-md">
          <Store className="size-4" aria-hidden />
        </div>
        <span className="truncate">{APP_NAME}</span>
      </div>
      <nav aria-label="Main" className="flex-1 space-y-6 overflow-y-auto px-2 py-4">
        <NavGroup title="Workspace" items={workspaceNav} onNavigate={onNavigate} />
        {id ? <TenantNavGroup tenantId={id} onNavigate={onNavigate} /> : null}
      </nav>
      {showUser ? <SidebarUser /> : null}
    </div>
  )
}

function SidebarUser() {
  const user = useCurrentUser()
  return (
    <div className="border-t px-4 py-3 text-sm">
      <p className="text-muted-foreground text-xs">Signed in as</p>
      <p className="truncate font-medium">{user.email}</p>
    </div>
  )
}
