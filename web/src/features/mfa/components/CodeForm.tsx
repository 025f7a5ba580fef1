import { useId, useState, type FormEvent, type ReactNode } from 'react'
import { Loader2 } from 'lucide-react'

import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { FormError } from '@/routes/auth/FormError'

interface Props {
  submitLabel: string
  pending: boolean
  error: unknown
  errorTitle: string
  onSubmit: (code: string) => void
  /** Say that a recovery code works too (sign-in, step-up, disabling; not the first code). */
  acceptsRecoveryCode?: boolean
  /** More fields before the button (the password when disabling). */
  children?: ReactNode
}

/** One authentication code (6 digits from the app, or a recovery code). */
export function CodeForm({ submitLabel, pending, error, errorTitle, onSubmit, acceptsRecoveryCode, children }: Props) {
  const id = useId()
  const [code, setCode] = useState('')
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    onSubmit(code.trim())
  }
  return (
    <form className="grid gap-3" onSubmit={submit}>
      <FormError error={error} title={errorTitle} />
      <div className="grid gap-2">
        <Label htmlFor={id}>Authentication code</Label>
        <Input
          id={id}
          autoComplete="one-time-code"
          inputMode={acceptsRecoveryCode ? 'text' : 'numeric'}
          placeholder={acceptsRecoveryCode ? '123456 or a recovery code' : '123456'}
          required
          minLength={6}
          maxLength={40}
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
        {acceptsRecoveryCode ? (
          <p className="text-muted-foreground text-xs">
            From your authenticator app, or one of your recovery codes (each works once).
          </p>
        ) : null}
      </div>
      {children}
      <Button type="submit" disabled={pending}>
        {pending ? <Loader2 className="animate-spin" aria-hidden /> : null}
        {submitLabel}
      </Button>
    </form>
  )
}
