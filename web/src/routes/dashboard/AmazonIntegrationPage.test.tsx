import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { apiError, json, mockFetch, renderRoutes } from '@/test/utils'
import { routes } from '../index'

const ME = { id: 'u1', email: 'ada@example.com', name: 'Ada', email_verified: true }
const TENANT = { id: 't1', name: 'Acme Agency', slug: 'acme', role: 'owner', created_at: '2026-11-28T10:00:00Z' }
const MARKETPLACES = [
  { id: 'ATVPDKIKX0DER', country_code: 'US', name: 'United States', region: 'NA' },
  { id: 'A2Q3Y263D00KWC', country_code: 'BR', name: 'Brazil', region: 'NA' },
  { id: 'A1PA6795UKMFR9', country_code: 'DE', name: 'Germany', region: 'EU' },
]
const SELLER = {
  id: 'c1',
  provider: 'amazon_sp',
  region: 'NA',
  account_id: 'A1DEMOSELLER0001',
  display_name: 'Demo Store',
  marketplaces: ['ATVPDKIKX0DER', 'A2Q3Y263D00KWC'],
  selected_marketplaces: ['ATVPDKIKX0DER'],
  status: 'needs_reauth',
  connected_at: '2026-11-28T10:00:00Z',
  authorized_at: '2026-11-28T10:00:00Z',
  disconnected_at: null,
  last_error: 'invalid_grant',
  parent_connection_id: null,
  profiles: [],
}

function handlers(role: string, connections: unknown[]) {
  return {
    'GET /api/auth/me': () => json(200, ME),
    'GET /api/tenants/t1': () => json(200, { ...TENANT, role }),
    'GET /api/marketplaces': () => json(200, MARKETPLACES),
    'GET /api/tenants/t1/connections': () => json(200, connections),
  }
}

afterEach(() => vi.unstubAllGlobals())

describe('AmazonIntegrationPage', () => {
  it('starts the Seller Central authorization with the chosen marketplaces', async () => {
    const assign = vi.fn<(url: string) => void>()
    vi.stubGlobal('location', { ...window.location, assign, origin: window.location.origin })
    const { calls } = mockFetch({
      ...handlers('owner', []),
      'POST /api/oauth/start': () => json(200, { consentUrl: 'https://sellercentral.example/consent?state=s' }),
    })
    renderRoutes(routes, '/dashboard/tenants/t1/integrations/amazon')
    expect(await screen.findByText('No accounts connected')).toBeInTheDocument()
    await userEvent.click(await screen.findByLabelText('Brazil (BR)'))
    await userEvent.click(screen.getByRole('button', { name: 'Connect Amazon' }))
    await vi.waitFor(() => expect(assign).toHaveBeenCalledWith('https://sellercentral.example/consent?state=s'))
    const start = new URL(calls.find((r) => r.method === 'POST')!.url)
    expect(start.searchParams.get('tenant_id')).toBe('t1')
    expect(start.searchParams.get('region')).toBe('NA')
    expect(start.searchParams.getAll('marketplaces')).toEqual(['ATVPDKIKX0DER', 'A2Q3Y263D00KWC'])
  })

  it('shows a connection that needs reauthorization with a banner and Reconnect', async () => {
    mockFetch(handlers('admin', [SELLER]))
    renderRoutes(routes, '/dashboard/tenants/t1/integrations/amazon?connected=1')
    expect(await screen.findByText('Seller account connected')).toBeInTheDocument()
    const card = (await screen.findByText('Demo Store')).closest('[data-connection-id]') as HTMLElement
    expect(within(card).getByText('Amazon no longer accepts this authorization')).toBeInTheDocument()
    expect(within(card).getByText('A1DEMOSELLER0001')).toBeInTheDocument()
    expect(within(card).getByText('US, BR')).toBeInTheDocument()
    expect(within(card).getByRole('button', { name: 'Reconnect' })).toBeInTheDocument()
  })

  it('warns before the yearly authorization lapses', async () => {
    const authorizedAt = new Date(Date.now() - 350 * 24 * 60 * 60 * 1000).toISOString()
    mockFetch(handlers('owner', [{ ...SELLER, status: 'active', authorized_at: authorizedAt }]))
    renderRoutes(routes, '/dashboard/tenants/t1/integrations/amazon')
    expect(await screen.findByText(/Authorization expires on/)).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Reconnect' })).toBeInTheDocument()
  })

  it('deletes the data of a disconnected account after confirmation', async () => {
    const { calls } = mockFetch({
      ...handlers('owner', [{ ...SELLER, status: 'revoked', disconnected_at: '2026-11-28T11:00:00Z' }]),
      'DELETE /api/tenants/t1/connections/c1': () => new Response(null, { status: 204 }),
    })
    renderRoutes(routes, '/dashboard/tenants/t1/integrations/amazon')
    await userEvent.click(await screen.findByRole('button', { name: 'Delete data' }))
    expect(calls.some((r) => r.method === 'DELETE')).toBe(false)
    await userEvent.click(screen.getByRole('button', { name: 'Delete the account and its synced data' }))
    await vi.waitFor(() => expect(calls.some((r) => r.method === 'DELETE')).toBe(true))
  })

  it('lets viewers look but not connect or disconnect', async () => {
    mockFetch(handlers('viewer', [{ ...SELLER, status: 'active' }]))
    renderRoutes(routes, '/dashboard/tenants/t1/integrations/amazon')
    expect(await screen.findByText('Demo Store')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Connect Amazon' })).toBeDisabled()
    expect(screen.getByRole('button', { name: 'Connect Ads' })).toBeDisabled()
    expect(screen.queryByRole('button', { name: 'Disconnect' })).not.toBeInTheDocument()
  })

  it('shows an error for a tenant the user cannot see', async () => {
    mockFetch({
      'GET /api/auth/me': () => json(200, ME),
      'GET /api/tenants/t1': () => apiError(404, 'not_found', 'tenant not found'),
    })
    renderRoutes(routes, '/dashboard/tenants/t1/integrations/amazon')
    expect(await screen.findByText('tenant not found')).toBeInTheDocument()
  })
})
