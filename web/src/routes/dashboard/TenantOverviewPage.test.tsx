import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { CONNECTIONS_POLL_MS } from '@/features/connections/api'
import { SELLER } from '@/test/reports'
import { FLAG, PENDING, tenantHandlers as handlers } from '@/test/tenant'
import { json, mockFetch, renderRoutes } from '@/test/utils'
import { routes } from '../index'

describe('TenantOverviewPage', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('counts a seller connected while the page is open, as the sync card shows it', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    let connections: unknown[] = []
    mockFetch({ ...handlers('owner'), 'GET /api/tenants/t1/connections': () => json(200, connections) })
    renderRoutes(routes, '/dashboard/tenants/t1')
    const sellers = await screen.findByRole('group', { name: 'Seller accounts' })
    expect(await within(sellers).findByText('0')).toBeInTheDocument()
    connections = [SELLER, { ...SELLER, id: 'c2', status: 'needs_reauth' }]
    await act(async () => {
      await vi.advanceTimersByTimeAsync(CONNECTIONS_POLL_MS)
    })
    expect(await within(sellers).findByText('2')).toBeInTheDocument()
    expect(within(screen.getByRole('group', { name: 'Need attention' })).getByText('1')).toBeInTheDocument()
  })

  it('switches a feature flag and shows the audit log', async () => {
    const { calls } = mockFetch({
      ...handlers('owner'),
      'PATCH /api/tenants/t1/flags': () => json(200, [{ ...FLAG, value: true, overridden: true }]),
    })
    renderRoutes(routes, '/dashboard/tenants/t1')
    expect(await screen.findByRole('heading', { name: 'Acme Agency' })).toBeInTheDocument()
    const log = await screen.findByRole('table', { name: 'Audit log' })
    expect(within(log).getByText('Connected seller A1SELLER (NA)')).toBeInTheDocument()
    await userEvent.click(await screen.findByLabelText('FEATURE_USE_DATA_KIOSK'))
    expect(await screen.findByText('Set for this tenant', { exact: false })).toBeInTheDocument()
    const patch = calls.find((r) => r.method === 'PATCH')!
    expect(await patch.json()).toEqual({ flags: { use_data_kiosk: true } })
  })

  it('shows members and pending invitations, and lets owners invite and revoke', async () => {
    const { calls } = mockFetch({
      ...handlers('owner'),
      'POST /api/tenants/t1/invitations': () => json(201, { ...PENDING, id: 'i2', email: 'cy@example.com' }),
      'DELETE /api/tenants/t1/invitations/i1': () => new Response(null, { status: 204 }),
    })
    renderRoutes(routes, '/dashboard/tenants/t1')
    const members = await screen.findByRole('list', { name: 'Members' })
    expect(within(members).getByText('Invited')).toBeInTheDocument()
    const pending = await screen.findByRole('list', { name: 'Pending invitations' })
    expect(within(pending).getByText('dee@example.com')).toBeInTheDocument()
    await userEvent.type(screen.getByLabelText('Invite by email'), 'cy@example.com')
    await userEvent.selectOptions(screen.getByLabelText('Role of the new member'), 'admin')
    await userEvent.click(screen.getByRole('button', { name: 'Send invitation' }))
    expect(await screen.findByText('Invitation sent to cy@example.com', { exact: false })).toBeInTheDocument()
    const post = calls.find((r) => r.method === 'POST')
    expect(new URL(post!.url).pathname).toBe('/api/tenants/t1/invitations')
    expect(await post!.json()).toEqual({ email: 'cy@example.com', role: 'admin' })
    await userEvent.click(within(pending).getByRole('button', { name: 'Revoke the invitation of dee@example.com' }))
    await screen.findByRole('list', { name: 'Members' })
    expect(calls.some((r) => r.method === 'DELETE' && r.url.endsWith('/api/tenants/t1/invitations/i1'))).toBe(true)
  })

  it('never asks for the invitations of a tenant where I am a viewer', async () => {
    const { calls } = mockFetch(handlers('viewer'))
    renderRoutes(routes, '/dashboard/tenants/t1')
    await screen.findByRole('list', { name: 'Members' })
    expect(screen.queryByRole('list', { name: 'Pending invitations' })).not.toBeInTheDocument()
    expect(screen.queryByLabelText('Invite by email')).not.toBeInTheDocument()
    expect(calls.some((r) => r.url.includes('/invitations'))).toBe(false)
  })

  it('names the tenant in the top bar', async () => {
    mockFetch(handlers('owner'))
    renderRoutes(routes, '/dashboard/tenants/t1')
    const bar = await screen.findByTestId('topbar-tenant')
    await waitFor(() => expect(bar).toHaveTextContent('Tenant Acme Agency'))
    expect(bar).not.toHaveTextContent('t1')
  })

  it('gives viewers a read-only page', async () => {
    mockFetch(handlers('viewer'))
    renderRoutes(routes, '/dashboard/tenants/t1')
    expect(await screen.findByLabelText('FEATURE_USE_DATA_KIOSK')).toBeDisabled()
    expect(screen.queryByLabelText('Invite by email')).not.toBeInTheDocument()
  })
})
