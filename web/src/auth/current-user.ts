import { createContext, use } from 'react'

import type { CurrentUser } from './queries'

export const CurrentUserContext = createContext<CurrentUser | null>(null)

/** The signed-in user; only valid below `<RequireAuth>`. */
export function useCurrentUser(): CurrentUser {
  const user = use(CurrentUserContext)
  if (!user) throw new Error('useCurrentUser must be used below <RequireAuth>')
  return user
}
