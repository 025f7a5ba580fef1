import { Button } from '@/components/ui/button'
import { useMfaSignIn, type MfaChallenge } from '../api'
import { CodeForm } from './CodeForm'

/** The sign-in's second step: the password was right, now a code (or a recovery code). */
export function SignInCodeStep({
  challenge,
  onSignedIn,
  onRestart,
}: {
  challenge: MfaChallenge
  onSignedIn: () => void
  onRestart: () => void
}) {
  const signIn = useMfaSignIn()
  return (
    <div className="flex flex-col gap-6">
      <div className="space-y-1 text-center">
        <h1 className="text-2xl font-semibold tracking-tight">Two-factor authentication</h1>
        <p className="text-muted-foreground text-sm">Enter the 6-digit code from your authenticator app.</p>
      </div>
      <CodeForm
        submitLabel="Verify"
        pending={signIn.isPending}
        error={signIn.error}
        errorTitle="Could not sign in"
        acceptsRecoveryCode
        onSubmit={(code) => signIn.mutate({ mfa_token: challenge.mfa_token, code }, { onSuccess: onSignedIn })}
      />
      <Button variant="link" onClick={onRestart}>
        Start over
      </Button>
    </div>
  )
}
