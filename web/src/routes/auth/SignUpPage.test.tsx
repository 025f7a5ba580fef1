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
})
