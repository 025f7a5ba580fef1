import { StrictMode, Suspense } from 'react'
import { createRoot } from 'react-dom/client'
import { QueryClientProvider } from '@tanstack/react-query'
import { createBrowserRouter, RouterProvider } from 'react-router'

import './index.css'
import { ClerkProvider, clerkPublishableKey } from '@/auth/provider'
import { FullPageLoader } from '@/components/common/FullPageLoader'
import { createQueryClient, signInUrl } from '@/lib/query-client'
import { routes } from '@/routes'

const router = createBrowserRouter(routes)

// Any 401 from the API (outside the sign-in forms) means the session is gone.
const queryClient = createQueryClient({
  onUnauthorized: () => {
    const { pathname, search } = router.state.location
    if (pathname.startsWith('/auth/')) return
    queryClient.removeQueries()
    void router.navigate(signInUrl(`${pathname}${search}`), { replace: true })
  },
})

const panel = (
  <QueryClientProvider client={queryClient}>
    <RouterProvider router={router} />
  </QueryClientProvider>
)

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {clerkPublishableKey ? (
      // Built with VITE_CLERK_PUBLISHABLE_KEY: Clerk signs people in (Clerk's code loads only then).
      <Suspense fallback={<FullPageLoader />}>
        <ClerkProvider
          publishableKey={clerkPublishableKey}
          afterSignOutUrl="/auth/signin"
          routerPush={(to: string) => void router.navigate(to)}
          routerReplace={(to: string) => void router.navigate(to, { replace: true })}
        >
          {panel}
        </ClerkProvider>
      </Suspense>
    ) : (
      panel
    )}
  </StrictMode>,
)
