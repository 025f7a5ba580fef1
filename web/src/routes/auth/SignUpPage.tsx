import { Suspense, useState, type FormEvent } from 'react'
import { Loader2 } from 'lucide-react'
import { Link, useNavigate, useSearchParams } from 'react-router'

import { FullPageLoader } from '@/components/common/FullPageLoader'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { ClerkAuthScreen, clerkEnabled } from '@/auth/provider'
import { nextPath, useSignUp } from '@/auth/queries'
import { AuthLayout } from './AuthLayout'
import { FormError } from './FormError'

export function SignUpPage() {
  const [params] = useSearchParams()
  const next = nextPath(params.get('next'))

  return (
    <AuthLayout>
      {clerkEnabled ? (
        <Suspense fallback={<FullPageLoader />}>
          <ClerkAuthScreen next={next} mode="signup" />
        </Suspense>
      ) : (
        <SignUpForm next={next} />
      )}
    </AuthLayout>
  )
}

function SignUpForm({ next }: { next: string }) {
  const navigate = useNavigate()
  const signUp = useSignUp()
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const trimmed = name.trim()
    signUp.mutate(
      { email, password, ...(trimmed ? { name: trimmed } : {}) },
      {
        onSuccess: (signedIn) =>
          signedIn ? navigate(next, { replace: true }) : navigate('/auth/check-email', { replace: true }),
      },
    )
  }

  return (
    <form className="flex flex-col gap-6" onSubmit={onSubmit}>
      <div className="space-y-1 text-center">
        <h1 className="text-2xl font-semibold tracking-tight">Create an account</h1>
        <p className="text-muted-foreground text-sm">Start connecting your Amazon seller accounts</p>
      </div>
      <FormError error={signUp.error} title="Could not create the account" />
      <div className="grid gap-4">
        <div className="grid gap-2">
          <Label htmlFor="name">
            Name <span className="text-muted-foreground font-normal">(optional)</span>
          </Label>
          <Input
            id="name"
            autoComplete="name"
            placeholder="Ada Lovelace"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
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
            autoComplete="new-password"
            aria-describedby="password-rules"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <p id="password-rules" className="text-muted-foreground text-xs">
            At least 10 characters. Not a common password, and not your e-mail name: a few unrelated words work well.
          </p>
        </div>
        <Button type="submit" className="w-full" disabled={signUp.isPending}>
          {signUp.isPending ? <Loader2 className="animate-spin" aria-hidden /> : null}
          Create account
        </Button>
      </div>
      <p className="text-muted-foreground text-center text-sm">
        Already have an account?{' '}
        <Link to="/auth/signin" className="text-foreground font-medium underline underline-offset-4">
          Sign in
        </Link>
      </p>
    </form>
  )
}
