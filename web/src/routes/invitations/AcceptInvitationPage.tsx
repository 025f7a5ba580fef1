import { useEffect } from 'react'
import { Loader2, MailPlus } from 'lucide-react'
import { Link, useLocation, useNavigate } from 'react-router'

import { FullPageLoader } from '@/components/common/FullPageLoader'
import { Button } from '@/components/ui/button'
import { useMe, useSignOut, type CurrentUser } from '@/auth/queries'
import { ResendVerification } from '@/features/account/components/ResendVerification'
import {
  INVITATION_PAGE,
  linkToken,
  pendingInvitationToken,
  rememberInvitation,
  useAcceptInvitation,
  useInvitationPreview,
  type InvitationPreview,
} from '@/features/account/api'
import { AuthLayout } from '../auth/AuthLayout'
import { FormError } from '../auth/FormError'

/**
 * The invitation link (/invitations/accept#token=...): who invites you where; then sign in or sign up with the
 * invited address, verify it, and accept. Without a token in the link, the invitation this browser was
 * looking at (kept while its invitee signs in, signs up or verifies the address).
 */
export function AcceptInvitationPage() {
  const token = linkToken(useLocation()) || pendingInvitationToken()
  const preview = useInvitationPreview(token)
  const me = useMe()

  return (
    <AuthLayout>
      {preview.isPending || me.isPending ? <FullPageLoader /> : null}
      {!token || preview.isError ? (
        <FormError error={preview.error ?? new Error('This link has no token.')} title="This invitation cannot be used" />
      ) : null}
      {preview.data && me.isSuccess ? <Invitation token={token} invitation={preview.data} me={me.data} /> : null}
    </AuthLayout>
  )
}

function Invitation({ token, invitation, me }: { token: string; invitation: InvitationPreview; me: CurrentUser | null }) {
  const rightAccount = me !== null && me.email.toLowerCase() === invitation.email.toLowerCase()

  useEffect(() => {
    // Signing in or up comes back to INVITATION_PAGE, and a new account verifies its address from an
    // e-mail, in a new page: both find the invitation in this browser.
    if (!me?.email_verified) rememberInvitation(token)
  }, [me, token])

  return (
    <div className="flex flex-col gap-5 text-center">
      <MailPlus className="text-muted-foreground mx-auto size-10" aria-hidden />
      <div className="space-y-1">
        <h1 className="text-2xl font-semibold tracking-tight">Join {invitation.tenant_name}</h1>
        <p className="text-muted-foreground text-sm">
          You are invited as <strong>{invitation.role}</strong>. The invitation is for{' '}
          <strong>{invitation.email}</strong>.
        </p>
      </div>
      {me === null ? <SignInFirst next={INVITATION_PAGE} /> : null}
      {me !== null && !rightAccount ? <WrongAccount me={me} email={invitation.email} /> : null}
      {rightAccount && !me.email_verified ? (
        <div className="space-y-3 text-sm">
          <p>Verify your e-mail address first: open the link we sent to {me.email}, then come back here.</p>
          <ResendVerification />
        </div>
      ) : null}
      {rightAccount && me.email_verified ? <Accept token={token} /> : null}
    </div>
  )
}

function SignInFirst({ next }: { next: string }) {
  const query = `?next=${encodeURIComponent(next)}`
  return (
    <div className="flex flex-col gap-2">
      <p className="text-sm">Sign in, or create an account, with the invited address to accept.</p>
      <Button asChild>
        <Link to={`/auth/signup${query}`}>Create an account</Link>
      </Button>
      <Button asChild variant="outline">
        <Link to={`/auth/signin${query}`}>Sign in</Link>
      </Button>
    </div>
  )
}

function WrongAccount({ me, email }: { me: CurrentUser; email: string }) {
  const signOut = useSignOut()
  return (
    <div className="space-y-3 text-sm">
      <p>
        You are signed in as {me.email}. Sign out, then sign in as {email} to accept.
      </p>
      <Button variant="outline" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
        Sign out
      </Button>
    </div>
  )
}

function Accept({ token }: { token: string }) {
  const navigate = useNavigate()
  const accept = useAcceptInvitation()
  return (
    <div className="space-y-3">
      <FormError error={accept.error} title="Could not accept the invitation" />
      <Button
        className="w-full"
        disabled={accept.isPending}
        onClick={() => accept.mutate(token, { onSuccess: (tenant) => navigate(`/dashboard/tenants/${tenant.id}`) })}
      >
        {accept.isPending ? <Loader2 className="animate-spin" aria-hidden /> : null}
        Accept the invitation
      </Button>
    </div>
  )
}
