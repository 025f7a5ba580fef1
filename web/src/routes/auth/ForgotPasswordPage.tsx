import { useState, type FormEvent } from 'react'
import { Loader2 } from 'lucide-react'
import { Link } from 'react-router'

import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { useForgotPassword } from '@/features/account/api'
import { AuthLayout } from './AuthLayout'
import { CheckEmail } from './CheckEmailPage'
import { FormError } from './FormError'

/** Ask for a reset link; the answer is the same whether or not the address has an account. */
export function ForgotPasswordPage() {
  const forgot = useForgotPassword()
  const [email, setEmail] = useState('')

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    forgot.mutate(email.trim())
  }

  return (
    <AuthLayout>
      {forgot.isSuccess ? (
        <CheckEmail what="a link to choose a new password" />
      ) : (
        <form className="flex flex-col gap-6" onSubmit={onSubmit}>
          <div className="space-y-1 text-center">
            <h1 className="text-2xl font-semibold tracking-tight">Forgot your password?</h1>
            <p className="text-muted-foreground text-sm">We e-mail you a link to choose a new one.</p>
          </div>
          <FormError error={forgot.error} title="Could not send the link" />
          <div className="grid gap-2">
            <Label htmlFor="email">Email</Label>
            <Input
              id="email"
              type="email"
              autoComplete="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </div>
          <Button type="submit" className="w-full" disabled={forgot.isPending}>
            {forgot.isPending ? <Loader2 className="animate-spin" aria-hidden /> : null}
            Send the link
          </Button>
          <p className="text-muted-foreground text-center text-sm">
            <Link to="/auth/signin" className="text-foreground font-medium underline underline-offset-4">
              Back to sign in
            </Link>
          </p>
        </form>
      )}
    </AuthLayout>
  )
}
