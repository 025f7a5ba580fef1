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

  it('shows each tenant\'s accounts and what needs attention in it', async () => {
    const none = { sellers: 0, ads_accounts: 0, needs_reauth: 0, backfilling: 0, failing: 0, stale: 0 }
    mockFetch({
      'GET /api/auth/me': () => json(200, ME),
      'GET /api/tenants': () =>
        json(200, [TENANT, { ...TENANT, id: 't2', name: 'Beta Brand' }, { ...TENANT, id: 't3', name: 'Gamma Goods' }]),
      'GET /api/health/tenants': () =>
        json(200, [
          { ...none, tenant_id: 't1', sellers: 2, ads_accounts: 1, needs_reauth: 1, failing: 2, stale: 1, backfilling: 3 },
          { ...none, tenant_id: 't2', sellers: 1 },
          { ...none, tenant_id: 't3' },
        ]),
    })
    renderRoutes(routes, '/dashboard')
    const list = await screen.findByRole('list', { name: 'Your tenants' })
    const [acme, beta, gamma] = await within(list).findAllByTestId('tenant-attention')
    expect(acme).toHaveTextContent('2 seller accounts · 1 Ads account')
    expect(within(acme).getByText('1 account needs reconnecting')).toBeInTheDocument()
    expect(within(acme).getByText('2 syncs failing')).toBeInTheDocument()
    expect(within(acme).getByText('1 dataset stale')).toBeInTheDocument()
    expect(within(acme).getByText('Loading history')).toBeInTheDocument()
    expect(within(acme).queryByText('Up to date')).not.toBeInTheDocument()
    expect(beta).toHaveTextContent('1 seller account')
    expect(within(beta).getByText('Up to date')).toBeInTheDocument()
    expect(gamma).toHaveTextContent('No Amazon account yet')
    expect(within(gamma).queryByText('Up to date')).not.toBeInTheDocument()
  })

  it('finds a tenant by name once there are more than a handful', async () => {
    const names = ['Acme Agency', 'Beta Brand', 'Cedar Co', 'Delta Goods', 'Echo Home', 'Fox Outdoors']
    const many = names.map((name, i) => ({ ...TENANT, id: `t${i}`, name, slug: name.toLowerCase().replace(' ', '-') }))
    mockFetch({ 'GET /api/auth/me': () => json(200, ME), 'GET /api/tenants': () => json(200, many) })
    renderRoutes(routes, '/dashboard')
    const list = await screen.findByRole('list', { name: 'Your tenants' })
    expect(within(list).getAllByRole('listitem')).toHaveLength(6)
    const find = screen.getByRole('searchbox', { name: 'Find a tenant' })
    await userEvent.type(find, 'DELTA')
    expect(within(screen.getByRole('list', { name: 'Your tenants' })).getAllByRole('listitem')).toHaveLength(1)
    expect(screen.getByRole('link', { name: 'Delta Goods' })).toBeInTheDocument()
    await userEvent.clear(find)
    await userEvent.type(find, 'zulu')
    expect(screen.getByText('No tenant matches “zulu”.')).toBeInTheDocument()
    expect(screen.queryByRole('list', { name: 'Your tenants' })).not.toBeInTheDocument()
  })

  it('shows no search box for a handful of tenants', async () => {
    mockFetch({ 'GET /api/auth/me': () => json(200, ME), 'GET /api/tenants': () => json(200, [TENANT]) })
    renderRoutes(routes, '/dashboard')
    await screen.findByRole('list', { name: 'Your tenants' })
    expect(screen.queryByRole('searchbox', { name: 'Find a tenant' })).not.toBeInTheDocument()
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
