import { useId, useState } from 'react'

import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { useDisableMfa } from '../api'
import { CodeForm } from './CodeForm'

/** Turning MFA off takes a current code (or a recovery code) and the password. */
export function DisableMfa() {
  const id = useId()
  const disable = useDisableMfa()
  const [password, setPassword] = useState('')
  return (
    <CodeForm
      submitLabel="Turn off two-factor authentication"
      pending={disable.isPending}
      error={disable.error}
      errorTitle="Could not turn it off"
      acceptsRecoveryCode
      onSubmit={(code) => disable.mutate({ code, password })}
    >
      <div className="grid gap-2">
        <Label htmlFor={id}>Password</Label>
        <Input
          id={id}
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </div>
    </CodeForm>
  )
}
