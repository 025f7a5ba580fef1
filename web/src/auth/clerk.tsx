/** Loaded only when VITE_CLERK_PUBLISHABLE_KEY is set (see provider.tsx). */
import type { ReactNode } from 'react'
import { ClerkProvider, SignIn, SignUp } from '@clerk/react'

interface ClerkRootProps {
  publishableKey: string
  navigate: (to: string, replace: boolean) => void
  children: ReactNode
}

export default function ClerkRoot({ publishableKey, navigate, children }: ClerkRootProps) {
  return (
    <ClerkProvider
      publishableKey={publishableKey}
      afterSignOutUrl="/auth/signin"
      routerPush={(to: string) => navigate(to, false)}
      routerReplace={(to: string) => navigate(to, true)}
    >
      {children}
    </ClerkProvider>
  )
}

export function ClerkSignIn({ next }: { next: string }) {
  return (
    <SignIn routing="path" path="/auth/signin" signUpUrl="/auth/signup" forceRedirectUrl={next} />
  )
}

export function ClerkSignUp({ next }: { next: string }) {
  return (
    <SignUp routing="path" path="/auth/signup" signInUrl="/auth/signin" forceRedirectUrl={next} />
  )
}
