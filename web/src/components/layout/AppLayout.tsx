import { Suspense } from 'react'
import { Outlet } from 'react-router'

import { PageSkeleton } from '@/components/common/PageSkeleton'
import { VerifyEmailBanner } from '@/features/account/components/VerifyEmailBanner'
import { OwnerMfaBanner } from '@/features/mfa/components/OwnerMfaBanner'
import { SidebarNav } from './SidebarNav'
import { TopBar } from './TopBar'

/**
 * Panel frame: sidebar on md+ (a sheet on phones), top bar, page content. The sidebar is a column of the
 * page as tall as its content, so its background runs to the bottom of long pages; its links stick to the
 * top of the viewport while the page scrolls.
 */
export function AppLayout() {
  return (
    <div className="bg-background flex min-h-svh">
      <aside className="bg-sidebar text-sidebar-foreground hidden w-64 shrink-0 border-r md:block" data-testid="sidebar">
        <div className="sticky top-0 h-svh">
          <SidebarNav />
        </div>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <TopBar />
        <main className="mx-auto w-full max-w-6xl flex-1 px-4 py-6 md:px-8 md:py-8">
          <VerifyEmailBanner />
          <OwnerMfaBanner />
          <Suspense fallback={<PageSkeleton />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
    </div>
  )
}
