import { Outlet } from 'react-router'

import { SidebarNav } from './SidebarNav'
import { TopBar } from './TopBar'

/** Panel frame: fixed sidebar on md+ (a sheet on phones), top bar, page content. */
export function AppLayout() {
  return (
    <div className="bg-background min-h-svh">
      <aside className="bg-sidebar text-sidebar-foreground fixed inset-y-0 left-0 z-20 hidden w-64 border-r md:block">
        <SidebarNav />
      </aside>
      <div className="flex min-h-svh flex-col md:pl-64">
        <TopBar />
        <main className="mx-auto w-full max-w-6xl flex-1 px-4 py-6 md:px-8 md:py-8">
          <Outlet />
        </main>
      </div>
    </div>
  )
}
