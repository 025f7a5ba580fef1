/**
 * The one seam between the panel and the sign-in provider.
 *
 * Default (no `VITE_CLERK_PUBLISHABLE_KEY` at build time): the built-in email + password
 * pages talk to `/api/auth/*` and the API keeps an HttpOnly session cookie.
 * With a key: `<ClerkProvider>` wraps the app and `/auth/signin` renders Clerk's `<SignIn/>`.
 * Clerk's code sits in a lazy chunk, so the default bundle never loads it.
 */
import { lazy, Suspense, type ReactNode } from 'react'

import { FullPageLoader } from '@/components/common/FullPageLoader'

const publishableKey = import.meta.env.VITE_CLERK_PUBLISHABLE_KEY ?? ''

export const clerkEnabled = publishableKey !== ''

const ClerkRoot = lazy(() => import('./clerk'))
export const ClerkSignIn = lazy(() => import('./clerk').then((m) => ({ default: m.ClerkSignIn })))
export const ClerkSignUp = lazy(() => import('./clerk').then((m) => ({ default: m.ClerkSignUp })))

interface AuthProviderProps {
  children: ReactNode
  navigate: (to: string, replace: boolean) => void
}

export function AuthProvider({ children, navigate }: AuthProviderProps) {
  if (!clerkEnabled) return children
  return (
    <Suspense fallback={<FullPageLoader />}>
      <ClerkRoot publishableKey={publishableKey} navigate={navigate}>
        {children}
      </ClerkRoot>
    </Suspense>
  )
}
