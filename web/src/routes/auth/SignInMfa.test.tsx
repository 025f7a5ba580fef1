import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { apiError, json, mockFetch, renderRoutes } from '@/test/utils'
import { SignInPage } from './SignInPage'

// Pages load lazily and the test machine is shared: give each step time.
const LOADED = { timeout: 5000 }
const SLOW_TEST_MS = 30_000

const routes = [
  { path: '/auth/signin', element: <SignInPage /> },
  { path: '/dashboard/*', element: <p>Dashboard page</p> },
]

describe('SignInPage with two-factor authentication', () => {
  it('asks for a code after the password, then signs in', async () => {
    const { calls } = mockFetch({
      'POST /api/auth/signin': () => json(200, { status: 'mfa_required', mfa_token: 'tok-1', expires_in: 300 }),
      'POST /api/auth/mfa/signin': async (request) => {
        const body = (await request.clone().json()) as { code: string }
        return body.code === '123456'
          ? json(200, { id: 'u1', email: 'ada@example.com', name: null, email_verified: true })
          : apiError(400, 'invalid_mfa_code', 'that code is not valid')
      },
    })
    const { router } = renderRoutes(routes, '/auth/signin?next=%2Fdashboard%2Ftenants%2Ft1')
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com')
    await userEvent.type(screen.getByLabelText('Password'), 'hunter22')
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }))

    expect(await screen.findByText('Two-factor authentication', undefined, LOADED)).toBeInTheDocument()
    const input = screen.getByLabelText('Authentication code')
    await userEvent.type(input, '999999')
    await userEvent.click(screen.getByRole('button', { name: 'Verify' }))
    expect(await screen.findByText('that code is not valid', undefined, LOADED)).toBeInTheDocument()
    await userEvent.clear(input)
    await userEvent.type(input, '123456')
    await userEvent.click(screen.getByRole('button', { name: 'Verify' }))

    expect(await screen.findByText('Dashboard page', undefined, LOADED)).toBeInTheDocument()
    expect(router.state.location.pathname).toBe('/dashboard/tenants/t1')
    const second = calls.filter((r) => r.url.endsWith('/api/auth/mfa/signin')).at(-1)
    expect(await second!.json()).toEqual({ mfa_token: 'tok-1', code: '123456' })
  }, SLOW_TEST_MS)
})
