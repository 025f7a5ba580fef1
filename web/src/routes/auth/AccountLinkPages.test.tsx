import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'

import { apiError, json, mockFetch, renderRoutes } from '@/test/utils'
import { ForgotPasswordPage } from './ForgotPasswordPage'
import { ResetPasswordPage } from './ResetPasswordPage'
import { VerifyEmailPage } from './VerifyEmailPage'

const routes = [
  { path: '/auth/verify', element: <VerifyEmailPage /> },
  { path: '/auth/forgot', element: <ForgotPasswordPage /> },
  { path: '/auth/reset', element: <ResetPasswordPage /> },
  { path: '/auth/signin', element: <p>Sign-in page</p> },
]

afterEach(() => window.localStorage.clear())

describe('VerifyEmailPage', () => {
  it('spends the link (token in the fragment) once and leads back to a pending invitation', async () => {
    window.localStorage.setItem('pending-invitation', 'inv-token-123')
    const { calls } = mockFetch({ 'POST /api/auth/verify': () => new Response(null, { status: 204 }) })
    renderRoutes(routes, '/auth/verify#token=verify-token-123')
    expect(await screen.findByRole('heading', { name: 'E-mail address verified' })).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Continue to the invitation' })).toHaveAttribute(
      'href',
      '/invitations/accept#token=inv-token-123',
    )
    expect(window.localStorage.getItem('pending-invitation')).toBeNull()
    expect(calls.filter((r) => r.method === 'POST')).toHaveLength(1)
    expect(await calls[0]!.json()).toEqual({ token: 'verify-token-123' })
  })

  it('still reads a link mailed before tokens moved to the fragment (?token=), and an invitation kept then', async () => {
    window.localStorage.setItem('pending-invitation', '/invitations/accept?token=inv-token-old')
    const { calls } = mockFetch({ 'POST /api/auth/verify': () => new Response(null, { status: 204 }) })
    renderRoutes(routes, '/auth/verify?token=verify-token-old')
    expect(await screen.findByRole('heading', { name: 'E-mail address verified' })).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Continue to the invitation' })).toHaveAttribute(
      'href',
      '/invitations/accept#token=inv-token-old',
    )
    expect(await calls[0]!.json()).toEqual({ token: 'verify-token-old' })
  })

  it('says when the link no longer works', async () => {
    mockFetch({
      'POST /api/auth/verify': () =>
        apiError(400, 'invalid_link', 'this link is invalid or has expired; ask for a new one'),
    })
    renderRoutes(routes, '/auth/verify#token=spent-token-123')
    expect(await screen.findByText('this link is invalid or has expired; ask for a new one')).toBeInTheDocument()
  })
})

describe('ForgotPasswordPage', () => {
  it('asks for a link and says to check the inbox', async () => {
    const { calls } = mockFetch({
      'POST /api/auth/password/forgot': () => json(202, { status: 'email_sent', message: 'Check the inbox.' }),
    })
    renderRoutes(routes, '/auth/forgot')
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com')
    await userEvent.click(screen.getByRole('button', { name: 'Send the link' }))
    expect(await screen.findByRole('heading', { name: 'Check your e-mail' })).toBeInTheDocument()
    expect(await calls[0]!.json()).toEqual({ email: 'ada@example.com' })
  })
})

describe('ResetPasswordPage', () => {
  it('sets the new password with the link token, then offers to sign in', async () => {
    const { calls } = mockFetch({ 'POST /api/auth/password/reset': () => new Response(null, { status: 204 }) })
    renderRoutes(routes, '/auth/reset#token=reset-token-123')
    await userEvent.type(screen.getByLabelText('New password'), 'a-brand-new-passphrase')
    await userEvent.click(screen.getByRole('button', { name: 'Set the new password' }))
    expect(await screen.findByRole('heading', { name: 'Password changed' })).toBeInTheDocument()
    expect(await calls[0]!.json()).toEqual({ token: 'reset-token-123', password: 'a-brand-new-passphrase' })
    expect(screen.getByRole('link', { name: 'Sign in' })).toHaveAttribute('href', '/auth/signin')
  })
})
