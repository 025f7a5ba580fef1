import { Suspense, useState } from 'react'
import { Loader2, LogOut, Menu } from 'lucide-react'
import { useNavigate, useParams } from 'react-router'

import { Button } from '@/components/ui/button'
import { Separator } from '@/components/ui/separator'
import { Sheet, SheetContent, SheetDescription, SheetTitle, SheetTrigger } from '@/components/ui/sheet'
import { ClerkAccountMenu, clerkEnabled } from '@/auth/provider'
import { useSignOut } from '@/auth/queries'
import { useTenant } from '@/features/tenants/api'
import { SidebarNav } from './SidebarNav'
import { UserMenu } from './UserMenu'

/** The tenant by its name; its id until the name has loaded (or when it cannot be read). */
function TenantName({ id }: { id: string }) {
  const tenant = useTenant(id)
  return (
    <span data-testid="topbar-tenant">
      Tenant{' '}
      {tenant.data ? (
        <span className="text-foreground font-medium">{tenant.data.name}</span>
      ) : (
        <span className="text-foreground font-mono">{id}</span>
      )}
    </span>
  )
}

export function TopBar() {
  const navigate = useNavigate()
  const signOut = useSignOut()
  const { id } = useParams()
  const [menuOpen, setMenuOpen] = useState(false)

  const onSignOut = () =>
    signOut.mutate(undefined, { onSettled: () => navigate('/auth/signin', { replace: true }) })

  return (
    <header className="bg-background/95 supports-[backdrop-filter]:bg-background/80 sticky top-0 z-30 flex h-14 items-center gap-3 border-b px-4 backdrop-blur md:px-6">
      <Sheet open={menuOpen} onOpenChange={setMenuOpen}>
        <SheetTrigger asChild>
          <Button variant="ghost" size="icon" className="md:hidden" aria-label="Open menu">
            <Menu />
          </Button>
        </SheetTrigger>
        <SheetContent side="left" className="bg-sidebar w-72 p-0">
          <SheetTitle className="sr-only">Navigation</SheetTitle>
          <SheetDescription className="sr-only">Sections of the panel</SheetDescription>
          <SidebarNav onNavigate={() => setMenuOpen(false)} showUser />
        </SheetContent>
      </Sheet>
      <Separator orientation="vertical" className="!h-5 md:hidden" />
      <div className="text-muted-foreground min-w-0 flex-1 truncate text-sm">
        {id ? <TenantName id={id} /> : <span>All tenants</span>}
      </div>
      <div className="flex items-center gap-3">
        {clerkEnabled ? (
          // Clerk's own account menu: profile, and sign out of Clerk.
          <Suspense fallback={null}>
            <ClerkAccountMenu />
          </Suspense>
        ) : (
          <>
            <UserMenu />
            <Button variant="outline" size="sm" onClick={onSignOut} disabled={signOut.isPending}>
              {signOut.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <LogOut />}
              <span className="hidden sm:inline">Sign out</span>
              <span className="sr-only sm:hidden">Sign out</span>
            </Button>
          </>
        )}
      </div>
    </header>
  )
}
