import { Suspense, useState, type FormEvent } from 'react'
import { Loader2 } from 'lucide-react'
import { Link, useNavigate, useSearchParams } from 'react-router'

import { FullPageLoader } from '@/components/common/FullPageLoader'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { ClerkAuthScreen, clerkEnabled } from '@/auth/provider'
import { nextPath, useSignIn } from '@/auth/queries'
import { isMfaChallenge, type MfaChallenge } from '@/features/mfa/api'
import { SignInCodeStep } from '@/features/mfa/components/SignInCodeStep'
import { ApiError } from '@/lib/api-error'
import { AuthLayout } from './AuthLayout'
import { FormError } from './FormError'

export function SignInPage() {
  const [params] = useSearchParams()
  const next = nextPath(params.get('next'))

  if (clerkEnabled) {
    return (
      <AuthLayout>
        <Suspense fallback={<FullPageLoader />}>
          <ClerkAuthScreen next={next} mode="signin" />
        </Suspense>
      </AuthLayout>
    )
  }
  return (
    <AuthLayout>
      <SignInForm next={next} />
    </AuthLayout>
  )
}

/** A paused sign-in (429: the address locked after repeated failures, or too many from this
 * network) is not a wrong password: it says to wait, and for how long. */
function signInErrorTitle(error: unknown): string {
  return error instanceof ApiError && error.status === 429 ? 'Sign-in paused' : 'Could not sign in'
}

export function SignInForm({ next }: { next: string }) {
  const [params] = useSearchParams()
  const navigate = useNavigate()
  const signIn = useSignIn()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  // With MFA on, the password step answers a challenge instead of a session: the code step follows.
  const [challenge, setChallenge] = useState<MfaChallenge | null>(null)
  const done = () => navigate(next, { replace: true })

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    signIn.mutate(
      { email, password },
      { onSuccess: (body) => (isMfaChallenge(body) ? setChallenge(body) : done()) },
    )
  }

  if (challenge) {
    return (
      <SignInCodeStep
        challenge={challenge}
        onSignedIn={done}
        onRestart={() => {
          setChallenge(null)
          setPassword('')
          signIn.reset()
        }}
      />
    )
  }

  return (
    <form className="flex flex-col gap-6" onSubmit={onSubmit}>
      <div className="space-y-1 text-center">
        <h1 className="text-2xl font-semibold tracking-tight">Sign in to your account</h1>
        <p className="text-muted-foreground text-sm">Enter your email and password below</p>
      </div>
      {params.get('signedOut') === 'everywhere' && !signIn.error ? (
        <p role="status" className="text-muted-foreground rounded-md border px-3 py-2 text-sm">
          You were signed out on every device.
        </p>
      ) : null}
      <FormError error={signIn.error} title={signInErrorTitle(signIn.error)} />
      <div className="grid gap-4">
        <div className="grid gap-2">
          <Label htmlFor="email">Email</Label>
          <Input
            id="email"
            type="email"
            autoComplete="email"
            placeholder="you@company.com"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="grid gap-2">
          <Label htmlFor="password">Password</Label>
          <Input
            id="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <Link to="/auth/forgot" className="text-muted-foreground justify-self-end text-sm underline underline-offset-4">
            Forgot your password?
          </Link>
        </div>
        <Button type="submit" className="w-full" disabled={signIn.isPending}>
          {signIn.isPending ? <Loader2 className="animate-spin" aria-hidden /> : null}
          Sign in
        </Button>
      </div>
      <p className="text-muted-foreground text-center text-sm">
        No account yet?{' '}
        <Link
          to={`/auth/signup${next !== '/dashboard' ? `?next=${encodeURIComponent(next)}` : ''}`}
          className="text-foreground font-medium underline underline-offset-4"
        >
          Create one
        </Link>
      </p>
    </form>
  )
}
