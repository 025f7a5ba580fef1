import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { apiError, json, mockFetch, renderRoutes } from '@/test/utils'
import { routes } from '../index'

const ME = { id: 'u1', email: 'ada@example.com', name: 'Ada', email_verified: true }
const TENANT = { id: 't1', name: 'Acme Agency', slug: 'acme-agency-1a2b3c', role: 'owner', created_at: '2026-11-28T10:00:00Z' }

describe('DashboardPage', () => {
  it('shows the empty state when the user has no tenants', async () => {
    mockFetch({ 'GET /api/auth/me': () => json(200, ME), 'GET /api/tenants': () => json(200, []) })
    renderRoutes(routes, '/dashboard')
    expect(await screen.findByText('No tenants yet')).toBeInTheDocument()
  })

  it('lists tenants with the role and links', async () => {
    mockFetch({
      'GET /api/auth/me': () => json(200, ME),
      'GET /api/tenants': () => json(200, [TENANT, { ...TENANT, id: 't2', name: 'Beta Brand', role: 'viewer' }]),
    })
    renderRoutes(routes, '/dashboard')
    const list = await screen.findByRole('list', { name: 'Your tenants' })
    expect(within(list).getByRole('link', { name: 'Acme Agency' })).toHaveAttribute('href', '/dashboard/tenants/t1')
    expect(within(list).getByText('owner')).toBeInTheDocument()
    expect(within(list).getByText('viewer')).toBeInTheDocument()
  })

  it('shows an error with the request id when the list fails', async () => {
    mockFetch({
      'GET /api/auth/me': () => json(200, ME),
      'GET /api/tenants': () => apiError(500, 'internal_error', 'Database unavailable'),
    })
    renderRoutes(routes, '/dashboard')
    expect(await screen.findByText('Database unavailable')).toBeInTheDocument()
    expect(screen.getByText('Request ID: req-123')).toBeInTheDocument()
  })

  it('creates a tenant and opens it', async () => {
    const { calls } = mockFetch({
      'GET /api/auth/me': () => json(200, ME),
      'GET /api/tenants': () => json(200, []),
      'POST /api/tenants': () => json(201, TENANT),
      'GET /api/tenants/t1': () => json(200, TENANT),
    })
    const { router } = renderRoutes(routes, '/dashboard')
    await userEvent.type(await screen.findByLabelText('New tenant'), 'Acme Agency')
    await userEvent.click(screen.getByRole('button', { name: 'Create tenant' }))
    await screen.findByRole('heading', { name: 'Acme Agency' })
    expect(router.state.location.pathname).toBe('/dashboard/tenants/t1')
    const post = calls.find((r) => r.method === 'POST')!
    expect(await post.json()).toEqual({ name: 'Acme Agency' })
  })
})
