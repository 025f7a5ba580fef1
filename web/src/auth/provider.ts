/**
 * The one seam between the panel and the sign-in provider.
 *
 * Default (no `VITE_CLERK_PUBLISHABLE_KEY` at build time): the built-in email + password
 * pages talk to `/api/auth/*` and the API keeps an HttpOnly session cookie.
 * With a key: main.tsx wraps the app in `<ClerkProvider>`, the auth screens show Clerk's
 * `SignInButton` / `SignUpButton` and the header Clerk's `UserButton` (the API then refuses the
 * built-in sign-in). Clerk's code sits in lazy chunks, so the default bundle never loads it.
 */
import { lazy } from 'react'

export const clerkPublishableKey = import.meta.env.VITE_CLERK_PUBLISHABLE_KEY ?? ''

export const clerkEnabled = clerkPublishableKey !== ''

export const ClerkProvider = lazy(() => import('@clerk/react').then((m) => ({ default: m.ClerkProvider })))
export const ClerkAuthScreen = lazy(() => import('./clerk').then((m) => ({ default: m.ClerkAuthScreen })))
export const ClerkAccountMenu = lazy(() => import('./clerk').then((m) => ({ default: m.ClerkAccountMenu })))
