import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useLocation, type RouteObject } from 'react-router'
import { describe, expect, it } from 'vitest'

import { apiError, json, mockFetch, renderRoutes } from '@/test/utils'
import { useCurrentUser } from './current-user'
import { RequireAuth } from './RequireAuth'

function Protected() {
  const user = useCurrentUser()
  return <p>Secret for {user.email}</p>
}

function SignInProbe() {
  const location = useLocation()
  return <p data-testid="signin">{`${location.pathname}${location.search}`}</p>
}

const routes: RouteObject[] = [
  { path: '/auth/signin', element: <SignInProbe /> },
  {
    path: '/dashboard/*',
    element: (
      <RequireAuth>
        <Protected />
      </RequireAuth>
    ),
  },
]

describe('RequireAuth', () => {
  it('redirects to sign-in with the current path on 401', async () => {
    mockFetch({ 'GET /api/auth/me': () => apiError(401, 'not_authenticated', 'Sign in first') })
    renderRoutes(routes, '/dashboard/tenants/t1/orders?page=2')
    expect(await screen.findByTestId('signin')).toHaveTextContent(
      '/auth/signin?next=%2Fdashboard%2Ftenants%2Ft1%2Forders%3Fpage%3D2',
    )
    expect(screen.queryByText(/Secret/)).not.toBeInTheDocument()
  })

  it('shows a loader, then renders children on 200', async () => {
    const { calls } = mockFetch({
      'GET /api/auth/me': () => json(200, { id: 'u1', email: 'ada@example.com', name: null, email_verified: true }),
    })
    renderRoutes(routes, '/dashboard')
    expect(screen.getByRole('status')).toHaveTextContent(/checking your session/i)
    expect(await screen.findByText('Secret for ada@example.com')).toBeInTheDocument()
    expect(calls[0]?.credentials).toBe('include')
  })

  it('shows an error with retry on other failures', async () => {
    let fail = true
    mockFetch({
      'GET /api/auth/me': () =>
        fail
          ? apiError(503, 'unavailable', 'Database is not ready')
          : json(200, { id: 'u1', email: 'ada@example.com', name: 'Ada', email_verified: true }),
    })
    renderRoutes(routes, '/dashboard')
    expect(await screen.findByText('Database is not ready')).toBeInTheDocument()
    expect(screen.getByText('Request ID: req-123')).toBeInTheDocument()
    fail = false
    await userEvent.click(screen.getByRole('button', { name: /try again/i }))
    await waitFor(() => expect(screen.getByText('Secret for ada@example.com')).toBeInTheDocument())
  })
})
