import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { apiError, json, mockFetch, renderRoutes } from '@/test/utils'
import { SignUpPage } from './SignUpPage'

const routes = [
  { path: '/auth/signup', element: <SignUpPage /> },
  { path: '/dashboard/*', element: <p>Dashboard page</p> },
]

async function fillAndSubmit() {
  await userEvent.type(screen.getByLabelText(/Name/), 'Ada')
  await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com')
  await userEvent.type(screen.getByLabelText('Password'), 'correct-horse-battery')
  await userEvent.click(screen.getByRole('button', { name: 'Create account' }))
}

describe('SignUpPage', () => {
  it('creates the account and opens the dashboard', async () => {
    const { calls } = mockFetch({
      'POST /api/auth/signup': () => json(201, { id: 'u1', email: 'ada@example.com', name: 'Ada' }),
    })
    const { router } = renderRoutes(routes, '/auth/signup')
    await fillAndSubmit()
    expect(await screen.findByText('Dashboard page')).toBeInTheDocument()
    expect(router.state.location.pathname).toBe('/dashboard')
    expect(await calls[0]!.json()).toEqual({ email: 'ada@example.com', password: 'correct-horse-battery', name: 'Ada' })
  })

  it('shows why the account was refused', async () => {
    mockFetch({
      'POST /api/auth/signup': () =>
        apiError(409, 'conflict', 'an account with this e-mail already exists; sign in instead'),
    })
    renderRoutes(routes, '/auth/signup')
    await fillAndSubmit()
    expect(await screen.findByText('an account with this e-mail already exists; sign in instead')).toBeInTheDocument()
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
