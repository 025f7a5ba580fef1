/**
 * Clerk's own components, in a chunk loaded only when VITE_CLERK_PUBLISHABLE_KEY is set (provider.tsx):
 * the default bundle never carries Clerk.
 *
 * `SignedIn` / `SignedOut` are the names of Clerk's quick-start; @clerk/react 6 spells them
 * `<Show when="signed-in">` / `<Show when="signed-out">`.
 */
import type { ReactNode } from 'react'
import { Navigate } from 'react-router'
import { Show, SignInButton, SignUpButton, UserButton } from '@clerk/react'

import { Button } from '@/components/ui/button'

export function SignedIn({ children }: { children: ReactNode }) {
  return <Show when="signed-in">{children}</Show>
}

export function SignedOut({ children }: { children: ReactNode }) {
  return <Show when="signed-out">{children}</Show>
}

/** The sign-in and sign-up screens with Clerk: its buttons open its own forms; once signed in, on to `next`. */
export function ClerkAuthScreen({ next, mode }: { next: string; mode: 'signin' | 'signup' }) {
  return (
    <>
      <SignedOut>
        <div className="flex flex-col gap-6">
          <div className="space-y-1 text-center">
            <h1 className="text-2xl font-semibold tracking-tight">
              {mode === 'signin' ? 'Sign in to your account' : 'Create your account'}
            </h1>
            <p className="text-muted-foreground text-sm">Continue with your Clerk account</p>
          </div>
          <div className="grid gap-3">
            <SignInButton mode="modal" forceRedirectUrl={next}>
              <Button variant={mode === 'signin' ? 'default' : 'outline'}>Sign in</Button>
            </SignInButton>
            <SignUpButton mode="modal" forceRedirectUrl={next}>
              <Button variant={mode === 'signup' ? 'default' : 'outline'}>Sign up</Button>
            </SignUpButton>
          </div>
        </div>
      </SignedOut>
      <SignedIn>
        <Navigate to={next} replace />
      </SignedIn>
    </>
  )
}

/** The header's account menu with Clerk (profile, sign out). */
export function ClerkAccountMenu() {
  return (
    <SignedIn>
      <UserButton />
    </SignedIn>
  )
}
