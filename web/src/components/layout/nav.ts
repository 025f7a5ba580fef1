import type { LucideIcon } from 'lucide-react'
import {
  Building2,
  FileSpreadsheet,
  HeartPulse,
  LayoutDashboard,
  Megaphone,
  Plug,
  ShieldCheck,
  ShoppingCart,
  Upload,
} from 'lucide-react'

export interface NavItem {
  label: string
  to: string
  icon: LucideIcon
  /** Match only the exact path (for index-like pages). */
  end?: boolean
}

export const workspaceNav: NavItem[] = [
  { label: 'Tenants', to: '/dashboard', icon: Building2, end: true },
  { label: 'Security', to: '/dashboard/account/security', icon: ShieldCheck },
]

/** The tenant's sections; Health only for those who may open it (owners and admins). */
export function tenantNav(tenantId: string, canSeeHealth = false): NavItem[] {
  const base = `/dashboard/tenants/${encodeURIComponent(tenantId)}`
  const items: NavItem[] = [
    { label: 'Overview', to: base, icon: LayoutDashboard, end: true },
    { label: 'Amazon integration', to: `${base}/integrations/amazon`, icon: Plug },
    { label: 'Orders', to: `${base}/orders`, icon: ShoppingCart },
    { label: 'Reports', to: `${base}/reports`, icon: FileSpreadsheet },
    { label: 'Feeds', to: `${base}/feeds`, icon: Upload },
    { label: 'Ads', to: `${base}/ads`, icon: Megaphone },
  ]
  if (canSeeHealth) items.push({ label: 'Health', to: `${base}/health`, icon: HeartPulse })
  return items
}
