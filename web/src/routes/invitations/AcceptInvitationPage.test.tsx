import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'

import { apiError, json, mockFetch, renderRoutes } from '@/test/utils'
import { AcceptInvitationPage } from './AcceptInvitationPage'

const routes = [
  { path: '/invitations/accept', element: <AcceptInvitationPage /> },
  { path: '/dashboard/tenants/:id', element: <p>Tenant page</p> },
]
const PATH = '/invitations/accept#token=inv-token-123'
const PREVIEW = { tenant_name: 'Acme Agency', role: 'admin', email: 'dee@example.com', expires_at: '2026-12-13T10:00:00Z' }
const me = (email: string, email_verified: boolean) => () => json(200, { id: 'u1', email, name: null, email_verified })
const lookup = () => json(200, PREVIEW)

afterEach(() => window.localStorage.clear())

describe('AcceptInvitationPage', () => {
  it('asks a visitor to sign up or sign in first, and comes back here after, the token in no URL', async () => {
    const { calls } = mockFetch({
      'POST /api/invitations/lookup': lookup,
      'GET /api/auth/me': () => apiError(401, 'unauthenticated', 'not signed in'),
    })
    const first = renderRoutes(routes, PATH)
    expect(await screen.findByRole('heading', { name: 'Join Acme Agency' }, { timeout: 5000 })).toBeInTheDocument()
    const next = `?next=${encodeURIComponent('/invitations/accept')}`
    expect(screen.getByRole('link', { name: 'Create an account' })).toHaveAttribute('href', `/auth/signup${next}`)
    expect(screen.getByRole('link', { name: 'Sign in' })).toHaveAttribute('href', `/auth/signin${next}`)
    expect(window.localStorage.getItem('pending-invitation')).toBe('inv-token-123')
    first.unmount()

    // Back from signing in: the page without a token shows the invitation kept in this browser.
    renderRoutes(routes, '/invitations/accept')
    expect(await screen.findByRole('heading', { name: 'Join Acme Agency' }, { timeout: 5000 })).toBeInTheDocument()
    const lookups = calls.filter((r) => r.url.endsWith('/api/invitations/lookup'))
    expect(await lookups.at(-1)!.json()).toEqual({ token: 'inv-token-123' })
  })

  it('still reads a link mailed before tokens moved to the fragment (?token=)', async () => {
    const { calls } = mockFetch({ 'POST /api/invitations/lookup': lookup, 'GET /api/auth/me': me('dee@example.com', true) })
    renderRoutes(routes, '/invitations/accept?token=inv-token-old')
    expect(await screen.findByRole('button', { name: 'Accept the invitation' }, { timeout: 5000 })).toBeInTheDocument()
    expect(await calls.find((r) => r.url.endsWith('/api/invitations/lookup'))!.json()).toEqual({ token: 'inv-token-old' })
  })

  it('asks an unverified invitee to verify first', async () => {
    mockFetch({ 'POST /api/invitations/lookup': lookup, 'GET /api/auth/me': me('DEE@example.com', false) })
    renderRoutes(routes, PATH)
    expect(await screen.findByText(/Verify your e-mail address first/)).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Send the link again' })).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Accept the invitation' })).not.toBeInTheDocument()
  })

  it('tells another account to sign in with the invited address', async () => {
    mockFetch({ 'POST /api/invitations/lookup': lookup, 'GET /api/auth/me': me('eve@example.com', true) })
    renderRoutes(routes, PATH)
    expect(await screen.findByText(/You are signed in as eve@example.com/)).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Accept the invitation' })).not.toBeInTheDocument()
  })

  it('accepts for the verified invitee and opens the tenant', async () => {
    const { calls } = mockFetch({
      'POST /api/invitations/lookup': lookup,
      'GET /api/auth/me': me('dee@example.com', true),
      'POST /api/invitations/accept': () =>
        json(200, { id: 't1', name: 'Acme Agency', slug: 'acme', role: 'admin', created_at: '2026-11-28T10:00:00Z' }),
    })
    const { router } = renderRoutes(routes, PATH)
    await userEvent.click(await screen.findByRole('button', { name: 'Accept the invitation' }))
    expect(await screen.findByText('Tenant page')).toBeInTheDocument()
    expect(router.state.location.pathname).toBe('/dashboard/tenants/t1')
    const accept = calls.find((r) => r.url.endsWith('/api/invitations/accept'))!
    expect(await accept.json()).toEqual({ token: 'inv-token-123' })
    expect(window.localStorage.getItem('pending-invitation')).toBeNull()
  })

  it('says when the link no longer works', async () => {
    mockFetch({
      'POST /api/invitations/lookup': () =>
        apiError(400, 'invalid_link', 'this link is invalid or has expired; ask for a new one'),
      'GET /api/auth/me': me('dee@example.com', true),
    })
    renderRoutes(routes, PATH)
    expect(await screen.findByText('this link is invalid or has expired; ask for a new one')).toBeInTheDocument()
  })
})
