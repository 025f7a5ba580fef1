import { Loader2, LogOut } from 'lucide-react'

import { ErrorState } from '@/components/common/ErrorState'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useSignOutEverywhere } from '@/auth/queries'
import { formatDateTime } from '@/features/reports/format'
import { FormError } from '@/routes/auth/FormError'
import { useSessions, type SessionInfo } from '../api'
import { browserOf } from '../user-agent'

function SessionRow({ session }: { session: SessionInfo }) {
  return (
    <TableRow>
      <TableCell>
        <span className="flex items-center gap-2">
          {browserOf(session.user_agent)}
          {session.current ? <Badge variant="secondary">This browser</Badge> : null}
        </span>
      </TableCell>
      <TableCell>{formatDateTime(session.created_at)}</TableCell>
      <TableCell>{formatDateTime(session.last_seen_at)}</TableCell>
      <TableCell>{formatDateTime(session.expires_at)}</TableCell>
    </TableRow>
  )
}

/** Where the user is signed in, and "Sign out everywhere" (every browser, this one too). */
export function SessionsCard() {
  const sessions = useSessions()
  const everywhere = useSignOutEverywhere()
  const signOutEverywhere = () => everywhere.mutate()

  return (
    <Card>
      <CardHeader>
        <CardTitle>Sessions</CardTitle>
        <CardDescription>
          The browsers signed in to your account. A session ends after a while without use, or when you sign out.
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-4">
        {sessions.isPending ? <Skeleton className="h-24 w-full" /> : null}
        {sessions.isError ? <ErrorState error={sessions.error} title="Could not load your sessions" /> : null}
        {sessions.data ? (
          <Table aria-label="Sessions">
            <TableHeader>
              <TableRow>
                <TableHead>Browser</TableHead>
                <TableHead>Signed in</TableHead>
                <TableHead>Last used</TableHead>
                <TableHead>Expires</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {sessions.data.map((session) => (
                <SessionRow key={session.id} session={session} />
              ))}
            </TableBody>
          </Table>
        ) : null}
        <FormError error={everywhere.error} title="Could not sign out everywhere" />
        <Button variant="destructive" onClick={signOutEverywhere} disabled={everywhere.isPending}>
          {everywhere.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <LogOut />}
          Sign out everywhere
        </Button>
      </CardContent>
    </Card>
  )
}
