import { Loader2, MonitorSmartphone } from 'lucide-react'

import { Avatar, AvatarFallback } from '@/components/ui/avatar'
import { Button } from '@/components/ui/button'
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu'
import { useCurrentUser } from '@/auth/current-user'
import { useSignOutEverywhere } from '@/auth/queries'
import { errorMessage } from '@/lib/api-error'

function initials(name: string | null | undefined, email: string): string {
  const source = name?.trim() || email
  const parts = source.split(/[\s@._-]+/).filter(Boolean)
  return (parts[0]?.[0] ?? '?').concat(parts[1]?.[0] ?? '').toUpperCase()
}

/** The account menu: who is signed in, and "Sign out everywhere" (every browser of the user,
 * this one included: a lost laptop, a shared computer). */
export function UserMenu() {
  const user = useCurrentUser()
  const everywhere = useSignOutEverywhere()
  const onSignOutEverywhere = () => everywhere.mutate()

  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="sm" className="flex items-center gap-2" aria-label="Account menu">
          <Avatar className="size-7">
            <AvatarFallback className="text-xs">{initials(user.name, user.email)}</AvatarFallback>
          </Avatar>
          <span className="hidden max-w-56 truncate text-sm sm:inline" data-testid="user-email">
            {user.email}
          </span>
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="w-64">
        <DropdownMenuLabel className="truncate font-normal">{user.email}</DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={onSignOutEverywhere} disabled={everywhere.isPending}>
          {everywhere.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <MonitorSmartphone />}
          Sign out everywhere
        </DropdownMenuItem>
        {everywhere.error ? (
          <p role="alert" className="text-destructive px-2 py-1.5 text-xs">
            {errorMessage(everywhere.error)}
          </p>
        ) : null}
      </DropdownMenuContent>
    </DropdownMenu>
  )
}
