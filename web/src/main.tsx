import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { QueryClientProvider } from '@tanstack/react-query'
import { createBrowserRouter, RouterProvider } from 'react-router'

import './index.css'
import { AuthProvider } from '@/auth/provider'
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

const navigate = (to: string, replace: boolean) => void router.navigate(to, { replace })

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AuthProvider navigate={navigate}>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </AuthProvider>
  </StrictMode>,
)
