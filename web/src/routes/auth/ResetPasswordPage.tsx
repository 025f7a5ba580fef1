import { useState, type FormEvent } from 'react'
import { Loader2 } from 'lucide-react'
import { Link, useLocation } from 'react-router'

import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { linkToken, useResetPassword } from '@/features/account/api'
import { AuthLayout } from './AuthLayout'
import { FormError } from './FormError'

/** The landing page of the reset link (/auth/reset#token=...): a new password, then sign in again. */
export function ResetPasswordPage() {
  const token = linkToken(useLocation())
  const reset = useResetPassword()
  const [password, setPassword] = useState('')

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    reset.mutate({ token, password })
  }

  return (
    <AuthLayout>
      {reset.isSuccess ? (
        <div className="flex flex-col items-center gap-4 text-center">
          <h1 className="text-2xl font-semibold tracking-tight">Password changed</h1>
          <p className="text-muted-foreground text-sm">Every session of the account was signed out. Sign in again.</p>
          <Button asChild>
            <Link to="/auth/signin">Sign in</Link>
          </Button>
        </div>
      ) : (
        <form className="flex flex-col gap-6" onSubmit={onSubmit}>
          <div className="space-y-1 text-center">
            <h1 className="text-2xl font-semibold tracking-tight">Choose a new password</h1>
            <p className="text-muted-foreground text-sm">At least 10 characters.</p>
          </div>
          <FormError error={reset.error} title="Could not change the password" />
          <div className="grid gap-2">
            <Label htmlFor="new-password">New password</Label>
            <Input
              id="new-password"
              type="password"
              autoComplete="new-password"
              minLength={10}
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          <Button type="submit" className="w-full" disabled={reset.isPending || !token}>
            {reset.isPending ? <Loader2 className="animate-spin" aria-hidden /> : null}
            Set the new password
          </Button>
        </form>
      )}
    </AuthLayout>
  )
}
