import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'

import { apiError, json, mockFetch, renderRoutes } from '@/test/utils'
import { SignInPage } from './SignInPage'

const routes = [
  { path: '/auth/signin', element: <SignInPage /> },
  { path: '/dashboard/*', element: <p>Dashboard page</p> },
]

async function fillAndSubmit() {
  await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com')
  await userEvent.type(screen.getByLabelText('Password'), 'hunter22')
  await userEvent.click(screen.getByRole('button', { name: 'Sign in' }))
}

describe('SignInPage', () => {
  it("shows the server's error message and request id", async () => {
    const onUnauthorized = vi.fn<() => void>()
    const { calls } = mockFetch({
      'POST /api/auth/signin': () => apiError(401, 'invalid_credentials', 'Wrong email or password'),
    })
    renderRoutes(routes, '/auth/signin', onUnauthorized)
    await fillAndSubmit()

    expect(await screen.findByText('Wrong email or password')).toBeInTheDocument()
    expect(screen.getByText('Request ID: req-123')).toBeInTheDocument()
    expect(await calls[0]!.json()).toEqual({ email: 'ada@example.com', password: 'hunter22' })
    expect(calls[0]!.credentials).toBe('include')
    // A wrong password is a form error, not a lost session.
    expect(onUnauthorized).not.toHaveBeenCalled()
  })

  it('handles an endpoint that does not exist yet', async () => {
    mockFetch({})
    renderRoutes(routes, '/auth/signin')
    await fillAndSubmit()
    expect(await screen.findByText('No handler for POST /api/auth/signin')).toBeInTheDocument()
  })

  it('goes to the `next` path on success', async () => {
    mockFetch({ 'POST /api/auth/signin': () => json(200, { id: 'u1', email: 'ada@example.com', name: null, email_verified: true }) })
    const { router } = renderRoutes(routes, '/auth/signin?next=%2Fdashboard%2Ftenants%2Ft1')
    await fillAndSubmit()
    expect(await screen.findByText('Dashboard page')).toBeInTheDocument()
    expect(router.state.location.pathname).toBe('/dashboard/tenants/t1')
  })

  it('says to wait when sign-in is paused (locked address or too many attempts)', async () => {
    mockFetch({
      'POST /api/auth/signin': () =>
        apiError(429, 'too_many_requests', 'Too many sign-in attempts. Try again in 15 minutes.'),
    })
    renderRoutes(routes, '/auth/signin')
    await fillAndSubmit()
    expect(await screen.findByText('Sign-in paused')).toBeInTheDocument()
    expect(screen.getByText('Too many sign-in attempts. Try again in 15 minutes.')).toBeInTheDocument()
    expect(screen.queryByText('Could not sign in')).not.toBeInTheDocument()
  })

  it('confirms a sign-out everywhere', async () => {
    mockFetch({})
    renderRoutes(routes, '/auth/signin?signedOut=everywhere')
    expect(await screen.findByText('You were signed out on every device.')).toBeInTheDocument()
  })
})
