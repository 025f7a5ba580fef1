import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { CurrentUserContext } from '@/auth/current-user'
import { loadPage } from '@/lib/browser'
import { apiError, json, mockFetch, renderRoutes } from '@/test/utils'
import { UserMenu } from './UserMenu'

vi.mock('@/lib/browser', () => ({ loadPage: vi.fn<(url: string) => void>() }))
afterEach(() => vi.mocked(loadPage).mockClear())

const user = { id: 'u1', email: 'ada@example.com', name: 'Ada Lovelace', email_verified: true }

const routes = [
  {
    path: '/dashboard',
    element: (
      <CurrentUserContext value={user}>
        <UserMenu />
      </CurrentUserContext>
    ),
  },
  { path: '/auth/signin', element: <p>Sign-in page</p> },
]

describe('UserMenu', () => {
  it('signs out everywhere and goes to the sign-in page', async () => {
    const { calls } = mockFetch({
      'POST /api/auth/signout-everywhere': () => json(200, { revoked: 3 }),
    })
    renderRoutes(routes, '/dashboard')
    await userEvent.click(screen.getByRole('button', { name: 'Account menu' }))
    await userEvent.click(await screen.findByRole('menuitem', { name: /Sign out everywhere/ }))

    await waitFor(() => expect(loadPage).toHaveBeenCalledWith('/auth/signin?signedOut=everywhere'))
    expect(calls).toHaveLength(1)
    expect(calls[0]!.method).toBe('POST')
    expect(new URL(calls[0]!.url).pathname).toBe('/api/auth/signout-everywhere')
  })

  it('stays and says why when it fails', async () => {
    mockFetch({
      'POST /api/auth/signout-everywhere': () => apiError(503, 'service_unavailable', 'The database is down.'),
    })
    renderRoutes(routes, '/dashboard')
    await userEvent.click(screen.getByRole('button', { name: 'Account menu' }))
    await userEvent.click(await screen.findByRole('menuitem', { name: /Sign out everywhere/ }))
    await userEvent.click(screen.getByRole('button', { name: 'Account menu' }))
    expect(await screen.findByText('The database is down.')).toBeInTheDocument()
    expect(loadPage).not.toHaveBeenCalled()
  })
})
