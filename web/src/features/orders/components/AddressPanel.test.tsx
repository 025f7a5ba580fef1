import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { apiError, json, mockFetch, renderRoutes } from '@/test/utils'
import { AddressPanel } from './AddressPanel'

const ADDRESS = {
  amazon_order_id: '113-0000002-0000001', available: true, name: 'Jane Buyer', address_line1: '1 Main St',
  address_line2: null, address_line3: null, city: 'Seattle', state_or_region: 'WA', postal_code: '98101',
  country_code: 'US', phone: null, address_type: 'RESIDENTIAL',
}

function tenant(role: string) {
  return () => json(200, { id: 't1', name: 'Acme', slug: 'acme', role, created_at: '2026-01-01T00:00:00Z' })
}

// Pages load lazily and the test machine is shared: give each step time.
const LOADED = { timeout: 5000 }
const SLOW_TEST_MS = 30_000

const routes = [
  { path: '/dashboard/tenants/:id/orders', element: <AddressPanel tenantId="t1" orderId={2} /> },
  { path: '/dashboard/account/security', element: <p>Security page</p> },
]

describe('AddressPanel', () => {
  it('shows a viewer why the address is not available, and never asks for it', async () => {
    const { calls } = mockFetch({ 'GET /api/tenants/t1': tenant('viewer') })
    renderRoutes(routes, '/dashboard/tenants/t1/orders')
    expect(await screen.findByText('Only owners and admins can see buyer addresses.', undefined, LOADED)).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Show address' })).toBeDisabled()
    expect(calls.some((r) => r.url.includes('/address'))).toBe(false)
  }, SLOW_TEST_MS)

  it('sends an admin without MFA to set it up, coming back here after', async () => {
    mockFetch({
      'GET /api/tenants/t1': tenant('admin'),
      'GET /api/orders/2/address': () => apiError(403, 'mfa_required', 'turn on two-factor authentication'),
    })
    const { router } = renderRoutes(routes, '/dashboard/tenants/t1/orders?status=SHIPPED')
    await userEvent.click(await screen.findByRole('button', { name: 'Show address' }, LOADED))
    expect(await screen.findByText('Security page', undefined, LOADED)).toBeInTheDocument()
    expect(router.state.location.pathname).toBe('/dashboard/account/security')
    expect(new URLSearchParams(router.state.location.search).get('next')).toBe(
      '/dashboard/tenants/t1/orders?status=SHIPPED',
    )
  }, SLOW_TEST_MS)

  it('asks an enrolled admin for a code (step-up), then shows the address', async () => {
    let verified = false
    const { calls } = mockFetch({
      'GET /api/tenants/t1': tenant('admin'),
      'GET /api/orders/2/address': () =>
        verified ? json(200, ADDRESS) : apiError(403, 'mfa_step_up_required', 'enter a code'),
      'POST /api/auth/mfa/verify': () => {
        verified = true
        return json(200, { session_verified_at: '2026-12-06T22:00:00Z' })
      },
    })
    renderRoutes(routes, '/dashboard/tenants/t1/orders')
    await userEvent.click(await screen.findByRole('button', { name: 'Show address' }, LOADED))
    await userEvent.type(await screen.findByLabelText('Authentication code', undefined, LOADED), '123456')
    await userEvent.click(screen.getByRole('button', { name: 'Verify and show address' }))
    expect(await screen.findByTestId('shipping-address', undefined, LOADED)).toHaveTextContent('1 Main St')
    const verify = calls.find((r) => r.url.endsWith('/api/auth/mfa/verify'))
    expect(await verify!.json()).toEqual({ code: '123456' })
  }, SLOW_TEST_MS)
})
