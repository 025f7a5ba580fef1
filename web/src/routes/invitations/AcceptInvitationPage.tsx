import { useEffect } from 'react'
import { Loader2, MailPlus } from 'lucide-react'
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router'

import { FullPageLoader } from '@/components/common/FullPageLoader'
import { Button } from '@/components/ui/button'
import { useMe, useSignOut, type CurrentUser } from '@/auth/queries'
import { ResendVerification } from '@/features/account/components/ResendVerification'
import {
  rememberInvitation,
  useAcceptInvitation,
  useInvitationPreview,
  type InvitationPreview,
} from '@/features/account/api'
import { AuthLayout } from '../auth/AuthLayout'
import { FormError } from '../auth/FormError'

/**
 * The invitation link (/invitations/accept?token=...): who invites you where; then sign in or sign up with the
 * invited address, verify it, and accept.
 */
export function AcceptInvitationPage() {
  const [params] = useSearchParams()
  const token = params.get('token') ?? ''
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
  const location = useLocation()
  const here = `${location.pathname}${location.search}`
  const rightAccount = me !== null && me.email.toLowerCase() === invitation.email.toLowerCase()

  useEffect(() => {
    // A new account verifies its address from an e-mail, in a new page: that page brings it back here.
    if (!me?.email_verified) rememberInvitation(here)
  }, [me, here])

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
      {me === null ? <SignInFirst next={here} /> : null}
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
