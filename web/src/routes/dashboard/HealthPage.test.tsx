import { screen, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'

import type { ConnectionHealth, TenantHealth } from '@/features/health/api'
import { json, mockFetch, renderRoutes } from '@/test/utils'
import { routes } from '../index'

const ME = { id: 'u1', email: 'ada@example.com', name: 'Ada', email_verified: true }
const PATH = '/dashboard/tenants/t1/health'

function tenant(role: string) {
  return { id: 't1', name: 'Acme Agency', slug: 'acme', role, created_at: '2026-11-28T10:00:00Z' }
}

const SELLER: ConnectionHealth = {
  id: 'c1',
  provider: 'amazon_sp',
  region: 'NA',
  name: 'Demo Store',
  status: 'active',
  needs_reauth: false,
  last_error: null,
  stale: true,
  datasets: [
    {
      dataset: 'orders',
      label: 'Orders',
      scope_id: 'ATVPDKIKX0DER',
      scope_label: 'ATVPDKIKX0DER',
      status: 'idle',
      last_success_at: '2026-12-06T11:55:00Z',
      age_s: 300,
      interval_s: 900,
      stale: false,
      last_error: null,
    },
    {
      dataset: 'orders',
      label: 'Orders',
      scope_id: 'A2EUQ1WTGCTBG2',
      scope_label: 'A2EUQ1WTGCTBG2',
      status: 'error',
      last_success_at: '2026-12-06T11:00:00Z',
      age_s: 3600,
      interval_s: 900,
      stale: true,
      last_error: 'Throttled: searchOrders',
    },
  ],
  failures: [
    { at: '2026-12-06T11:58:00Z', type: 'sync', kind: 'delta', dataset: 'orders', scope_id: 'A2EUQ1WTGCTBG2', error: 'Throttled: searchOrders' },
  ],
  calls_today: [
    { service: 'spapi', operation: 'orders2026.searchOrders', calls: 1204, throttled: 3 },
    { service: 'spapi', operation: 'reports.getReport', calls: 40, throttled: 0 },
  ],
}

const ADS: ConnectionHealth = {
  ...SELLER,
  id: 'c2',
  provider: 'amazon_ads',
  name: 'Brand Ads',
  status: 'needs_reauth',
  needs_reauth: true,
  last_error: 'invalid_grant',
  stale: false,
  datasets: [],
  failures: [],
  calls_today: [],
}

function health(connections: ConnectionHealth[]): TenantHealth {
  return {
    tenant_id: 't1',
    generated_at: '2026-12-06T12:00:00Z',
    day: '2026-12-06',
    connections,
    needs_reauthorization: connections.filter((c) => c.needs_reauth).map((c) => c.id),
  }
}

function handlers(role: string, body: TenantHealth = health([SELLER, ADS])) {
  return {
    'GET /api/auth/me': () => json(200, ME),
    'GET /api/tenants': () => json(200, [tenant(role)]),
    'GET /api/tenants/t1': () => json(200, tenant(role)),
    'GET /api/tenants/t1/health': () => json(200, body),
  }
}

describe('health page', () => {
  it('shows each connection: freshness per marketplace, calls today per operation, failures', async () => {
    mockFetch(handlers('admin'))
    renderRoutes(routes, PATH)
    const [seller, ads] = await screen.findAllByTestId('health-connection')
    expect(within(seller!).getByText('Demo Store')).toBeInTheDocument()
    expect(within(seller!).getByText('Stale data')).toBeInTheDocument()

    const [us, ca] = within(seller!).getAllByTestId('health-dataset')
    expect(us).toHaveAttribute('data-stale', 'false')
    expect(within(us!).getByTestId('health-last-success')).toHaveTextContent('5 min ago')
    expect(within(us!).getByText('Fresh')).toBeInTheDocument()
    expect(ca).toHaveAttribute('data-stale', 'true')
    expect(within(ca!).getByTestId('health-last-success')).toHaveTextContent('1 h ago')
    expect(within(ca!).getByText('Stale')).toBeInTheDocument()
    expect(within(ca!).getByText('Throttled: searchOrders')).toBeInTheDocument()

    const calls = within(seller!).getAllByTestId('health-calls')
    expect(calls.map((row) => row.dataset.operation)).toEqual(['orders2026.searchOrders', 'reports.getReport'])
    expect(calls[0]).toHaveTextContent('1,204')
    expect(within(seller!).getByTestId('health-calls-total')).toHaveTextContent('1,244')
    expect(within(seller!).getByTestId('health-failure')).toHaveTextContent('sync · delta · orders · A2EUQ1WTGCTBG2')

    expect(within(ads!).getByText('Needs re-authorization')).toBeInTheDocument()
    expect(within(ads!).getByRole('link', { name: 'Reconnect' })).toHaveAttribute('href', '/dashboard/tenants/t1/integrations/amazon')
    expect(within(ads!).getByText('No Amazon calls today.')).toBeInTheDocument()
    expect(screen.getByTestId('health-reauth')).toHaveTextContent('Brand Ads')
  })

  it('is in the sidebar for admins, and says who may open it to a viewer without asking the API', async () => {
    const { calls } = mockFetch(handlers('viewer'))
    renderRoutes(routes, PATH)
    expect(await screen.findByText('Owners and admins only')).toBeInTheDocument()
    expect(screen.queryByRole('link', { name: 'Health' })).not.toBeInTheDocument()
    expect(calls.map((r) => new URL(r.url).pathname)).not.toContain('/api/tenants/t1/health')
  })

  it('links Health from the sidebar for an owner, and says when there is nothing connected', async () => {
    mockFetch(handlers('owner', health([])))
    renderRoutes(routes, PATH)
    expect(await screen.findByText('No connections')).toBeInTheDocument()
    expect((await screen.findAllByRole('link', { name: 'Health' }))[0]).toHaveAttribute('href', '/dashboard/tenants/t1/health')
  })
})
