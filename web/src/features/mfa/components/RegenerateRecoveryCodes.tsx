import { useState } from 'react'
import { RefreshCw } from 'lucide-react'

import { Button } from '@/components/ui/button'
import { useRegenerateRecoveryCodes } from '../api'
import { CodeForm } from './CodeForm'

/** Ten new recovery codes for a code from the app (the old codes stop working); `onCodes` shows them. */
export function RegenerateRecoveryCodes({ onCodes }: { onCodes: (codes: string[]) => void }) {
  const [open, setOpen] = useState(false)
  const regenerate = useRegenerateRecoveryCodes()
  if (!open) {
    return (
      <Button variant="outline" onClick={() => setOpen(true)}>
        <RefreshCw />
        New recovery codes
      </Button>
    )
  }
  return (
    <section aria-label="New recovery codes" className="max-w-sm space-y-2">
      <p className="text-muted-foreground text-sm">
        Enter a code from your authenticator app. Your current recovery codes stop working.
      </p>
      <CodeForm
        submitLabel="Make new recovery codes"
        pending={regenerate.isPending}
        error={regenerate.error}
        errorTitle="Could not make new codes"
        onSubmit={(code) =>
          regenerate.mutate(code, {
            onSuccess: (out) => {
              setOpen(false)
              onCodes(out.recovery_codes)
            },
          })
        }
      />
    </section>
  )
}
