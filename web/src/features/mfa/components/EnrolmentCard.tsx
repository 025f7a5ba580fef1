import { QRCodeSVG } from 'qrcode.react'
import { Loader2, ShieldCheck } from 'lucide-react'

import { Button } from '@/components/ui/button'
import { FormError } from '@/routes/auth/FormError'
import { useConfirmEnrolment, useStartEnrolment } from '../api'
import { CodeForm } from './CodeForm'

/**
 * Enrolment: the server makes a secret, shown once as a QR code (inline SVG: no canvas, no data:
 * image, nothing a strict CSP has to allow) and as text for apps without a camera; the first
 * code confirms it and hands the recovery codes to `onConfirmed` (the caller shows them, once).
 */
export function Enrolment({ onConfirmed }: { onConfirmed: (recoveryCodes: string[]) => void }) {
  const start = useStartEnrolment()
  const confirm = useConfirmEnrolment()

  if (!start.data) {
    return (
      <div className="space-y-3">
        <FormError error={start.error} title="Could not start" />
        <Button onClick={() => start.mutate()} disabled={start.isPending}>
          {start.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <ShieldCheck />}
          Set up two-factor authentication
        </Button>
      </div>
    )
  }
  return (
    <div className="grid gap-6 md:grid-cols-[auto_1fr]">
      <div role="img" aria-label="QR code for your authenticator app" className="h-fit rounded-md border bg-white p-3">
        <QRCodeSVG value={start.data.otpauth_uri} size={176} />
      </div>
      <div className="space-y-4">
        <ol className="text-muted-foreground list-decimal space-y-1 pl-5 text-sm">
          <li>Scan the QR code with an authenticator app (1Password, Google Authenticator, Authy…).</li>
          <li>Or type this key into it:</li>
        </ol>
        <code data-testid="totp-secret" className="bg-muted block rounded-md px-3 py-2 font-mono text-sm break-all">
          {start.data.secret}
        </code>
        <CodeForm
          submitLabel="Turn on"
          pending={confirm.isPending}
          error={confirm.error}
          errorTitle="Could not turn it on"
          onSubmit={(code) => confirm.mutate(code, { onSuccess: (out) => onConfirmed(out.recovery_codes) })}
        />
      </div>
    </div>
  )
}
