import { MailCheck } from 'lucide-react'
import { Link } from 'react-router'

import { AuthLayout } from './AuthLayout'

/** After sign-up (when it could not sign in) and after "forgot password": the link is in the mailbox. */
export function CheckEmailPage() {
  return (
    <AuthLayout>
      <CheckEmail />
    </AuthLayout>
  )
}

export function CheckEmail({ what = 'a link to continue' }: { what?: string }) {
  return (
    <div className="flex flex-col items-center gap-4 text-center">
      <MailCheck className="text-muted-foreground size-10" aria-hidden />
      <h1 className="text-2xl font-semibold tracking-tight">Check your e-mail</h1>
      <p className="text-muted-foreground text-sm">
        If the address can receive mail, {what} is on its way. It works once and expires; nothing arrived? Look in
        the spam folder, then try again.
      </p>
      <p className="text-sm">
        <Link to="/auth/signin" className="font-medium underline underline-offset-4">
          Back to sign in
        </Link>
      </p>
    </div>
  )
}
