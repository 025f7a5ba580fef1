import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { apiError, json, mockFetch, renderRoutes } from '@/test/utils'
import { SignUpPage } from './SignUpPage'

const routes = [
  { path: '/auth/signup', element: <SignUpPage /> },
  { path: '/dashboard/*', element: <p>Dashboard page</p> },
  { path: '/auth/check-email', element: <p>Check your e-mail page</p> },
]

async function fillAndSubmit() {
  await userEvent.type(screen.getByLabelText(/Name/), 'Ada')
  await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com')
  await userEvent.type(screen.getByLabelText('Password'), 'correct-horse-battery')
  await userEvent.click(screen.getByRole('button', { name: 'Create account' }))
}

describe('SignUpPage', () => {
  it('creates the account, signs in and opens the dashboard', async () => {
    const { calls } = mockFetch({
      'POST /api/auth/signup': () => json(202, { status: 'email_sent', message: 'Check the inbox.' }),
      'POST /api/auth/signin': () => json(200, { id: 'u1', email: 'ada@example.com', name: 'Ada', email_verified: false }),
    })
    const { router } = renderRoutes(routes, '/auth/signup')
    await fillAndSubmit()
    expect(await screen.findByText('Dashboard page')).toBeInTheDocument()
    expect(router.state.location.pathname).toBe('/dashboard')
    expect(await calls[0]!.json()).toEqual({ email: 'ada@example.com', password: 'correct-horse-battery', name: 'Ada' })
    expect(await calls[1]!.json()).toEqual({ email: 'ada@example.com', password: 'correct-horse-battery' })
  })

  it('says to check the e-mail when the address already had an account', async () => {
    mockFetch({
      'POST /api/auth/signup': () => json(202, { status: 'email_sent', message: 'Check the inbox.' }),
      'POST /api/auth/signin': () => apiError(401, 'invalid_credentials', 'wrong e-mail or password'),
    })
    const { router } = renderRoutes(routes, '/auth/signup')
    await fillAndSubmit()
    expect(await screen.findByText('Check your e-mail page')).toBeInTheDocument()
    expect(router.state.location.pathname).toBe('/auth/check-email')
  })

  it('shows why the account was refused', async () => {
    mockFetch({
      'POST /api/auth/signup': () =>
        apiError(422, 'validation_error', 'password: String should have at least 10 characters'),
    })
    renderRoutes(routes, '/auth/signup')
    await fillAndSubmit()
    expect(await screen.findByText('password: String should have at least 10 characters')).toBeInTheDocument()
  })

  it("lists the password policy's reasons", async () => {
    mockFetch({
      'POST /api/auth/signup': () =>
        json(422, {
          error: {
            code: 'weak_password',
            message: 'This is similar to a commonly used password. Add another word or two.',
            request_id: 'req-9',
            issues: ['This is similar to a commonly used password.', 'Add another word or two.'],
          },
        }),
    })
    renderRoutes(routes, '/auth/signup')
    await fillAndSubmit()
    expect(await screen.findByText('This is similar to a commonly used password.')).toBeInTheDocument()
    expect(screen.getByText('Add another word or two.')).toBeInTheDocument()
    expect(screen.getByText(/At least 10 characters/)).toBeInTheDocument()
  })

  it('shows a single policy reason as the message', async () => {
    mockFetch({
      'POST /api/auth/signup': () =>
        json(422, {
          error: {
            code: 'weak_password',
            message: 'This is one of the most common passwords; choose another.',
            request_id: 'req-9',
            issues: ['This is one of the most common passwords; choose another.'],
          },
        }),
    })
    renderRoutes(routes, '/auth/signup')
    await fillAndSubmit()
    expect(await screen.findByText('This is one of the most common passwords; choose another.')).toBeInTheDocument()
  })
})
