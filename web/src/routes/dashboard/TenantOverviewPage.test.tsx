import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { CONNECTIONS_POLL_MS } from '@/features/connections/api'
import { SELLER } from '@/test/reports'
import { json, mockFetch, renderRoutes } from '@/test/utils'
import { routes } from '../index'

const ME = { id: 'u1', email: 'ada@example.com', name: 'Ada', email_verified: true }
const PENDING = {
  id: 'i1',
  email: 'dee@example.com',
  role: 'admin',
  created_at: '2026-11-28T10:00:00Z',
  expires_at: '2026-12-05T10:00:00Z',
  expired: false,
}
const FLAG = {
  key: 'use_data_kiosk',
  env_var: 'FEATURE_USE_DATA_KIOSK',
  description: 'Use Data Kiosk.',
  value: false,
  default: false,
  overridden: false,
}

function handlers(role: string) {
  return {
    'GET /api/auth/me': () => json(200, ME),
    'GET /api/tenants/t1': () =>
      json(200, { id: 't1', name: 'Acme Agency', slug: 'acme', role, created_at: '2026-11-28T10:00:00Z' }),
    'GET /api/tenants/t1/connections': () => json(200, []),
    'GET /api/tenants/t1/members': () =>
      json(200, [
        { user_id: 'u1', email: 'ada@example.com', name: 'Ada', role, has_signed_up: true, created_at: '2026-11-28T10:00:00Z' },
        { user_id: 'u2', email: 'bob@example.com', name: null, role: 'viewer', has_signed_up: false, created_at: '2026-11-28T10:00:00Z' },
      ]),
    'GET /api/tenants/t1/flags': () => json(200, [FLAG]),
    'GET /api/tenants/t1/invitations': () => json(200, [PENDING]),
    'GET /api/tenants/t1/audit-logs': () =>
      json(200, {
        items: [
          {
            id: 1,
            action: 'connection.connected',
            actor_user_id: 'u1',
            actor_email: 'ada@example.com',
            target_type: 'connection',
            target_id: 'c1',
            data: { provider: 'amazon_sp', region: 'NA', account_id: 'A1SELLER' },
            request_id: 'r1',
            created_at: '2026-11-28T10:00:00Z',
          },
        ],
        next_before_id: null,
      }),
  }
}

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

  it('says whether order changes arrive live or with the next delta', async () => {
    const status = (live_updates: unknown[]) => ({
      tenant_id: 't1',
      connection_id: null,
      generated_at: '2026-12-05T10:00:00Z',
      recent_jobs: [],
      live_updates,
      marketplaces: [
        {
          state_id: 's1',
          connection_id: 'c1',
          marketplace_id: 'ATVPDKIKX0DER',
          scope_label: 'United States (US)',
          entity: 'orders',
          label: 'Orders',
          phase: 'up_to_date',
          status: 'idle',
          orders: 1254,
          last_error: null,
          last_success_at: '2026-12-05T09:59:00Z',
          backfill: { progress: 1, backfill_from: null, backfill_to: null, done_until: null, started_at: null, completed_at: null, eta: null, path: 'report' },
          delta: { interval_minutes: 15, watermark: null, last_run_at: null, next_run_at: null, last_job: null },
        },
      ],
    })
    const subscription = { connection_id: 'c1', notification_type: 'ORDER_CHANGE', status: 'active', last_error: null, since: '2026-12-05T09:00:00Z' }
    mockFetch({ ...handlers('owner'), 'GET /api/sync/status': () => json(200, status([subscription])) })
    const first = renderRoutes(routes, '/dashboard/tenants/t1')
    const live = await first.findByTestId('sync-live-updates')
    expect(within(live).getByText('Live updates on')).toBeInTheDocument()
    first.unmount()

    mockFetch({ ...handlers('owner'), 'GET /api/sync/status': () => json(200, status([])) })
    renderRoutes(routes, '/dashboard/tenants/t1')
    const off = await screen.findByTestId('sync-live-updates')
    expect(within(off).getByText('Live updates off')).toBeInTheDocument()
    expect(within(off).getByText('Order changes arrive with the next delta (every 15 min).')).toBeInTheDocument()
  })

  it('groups the sync rows by connection and Ads profile, with one delta button per connection', async () => {
    const idle = { progress: 1, backfill_from: null, backfill_to: null, done_until: null, started_at: null, completed_at: null, eta: null, path: 'report' }
    const job = (id: string, connection_id: string, marketplace_id: string) => ({
      id, connection_id, marketplace_id, kind: 'delta', status: 'done', window_start: null, window_end: null, pages: 1,
      orders_seen: 7, orders_inserted: 2, orders_updated: 3, items: 0, throttled_429: 0, retries: 0,
      request_ids: [], error: null, started_at: null, finished_at: null, duration_s: 0.5,
    })
    const row = (state_id: string, connection_id: string, marketplace_id: string, scope_label: string, entity: string, label: string) => ({
      state_id, connection_id, marketplace_id, scope_label, entity, label, phase: 'up_to_date', status: 'idle', orders: 10,
      last_error: null, last_success_at: null, backfill: idle,
      delta: { interval_minutes: 15, watermark: null, last_run_at: null, next_run_at: null, last_job: job(`j-${state_id}`, connection_id, marketplace_id) },
    })
    const backfilling = {
      ...row('s4', 'c2', '3001', 'Brand (US)', 'ads_purchased_product', 'Ads: purchased products'),
      phase: 'backfill',
      backfill: { ...idle, progress: 0.5, backfill_from: '2026-09-04T00:00:00Z', backfill_to: '2026-11-09T00:00:00Z' },
    }
    const status = {
      tenant_id: 't1',
      connection_id: null,
      generated_at: '2026-12-05T10:00:00Z',
      live_updates: [],
      marketplaces: [
        row('s1', 'c1', 'ATVPDKIKX0DER', 'United States (US)', 'orders', 'Orders'),
        row('s2', 'c2', '3001', 'Brand (US)', 'ads_structure', 'Ads: campaigns'),
        row('s3', 'c2', '3001', 'Brand (US)', 'ads_advertised_product', 'Ads: advertised products'),
        backfilling,
        row('s5', 'c2', '3002', 'Brand (CA)', 'ads_structure', 'Ads: campaigns'),
      ],
      recent_jobs: [job('r2', 'c2', '3001'), job('r1', 'c1', 'ATVPDKIKX0DER')],
    }
    const connection = (id: string, provider: string) => ({ id, provider, display_name: 'Acme Store', account_id: 'A1SELLER', region: 'NA', status: 'active', profiles: [] })
    const { calls } = mockFetch({
      ...handlers('owner'),
      'GET /api/tenants/t1/connections': () => json(200, [connection('c1', 'amazon_sp'), connection('c2', 'amazon_ads')]),
      'GET /api/sync/status': () => json(200, status),
      'POST /api/sync/run': () => json(202, { connection_id: 'c2', rows: 4 }),
    })
    renderRoutes(routes, '/dashboard/tenants/t1')
    const card = await screen.findByTestId('sync-card')
    await waitFor(() => expect(within(card).getAllByTestId('sync-scope')).toHaveLength(3))
    const scopes = within(card).getAllByTestId('sync-scope').map((el) => el.textContent)
    expect(scopes).toEqual(['United States (US)', 'Brand (US)', 'Brand (CA)'])
    const [seller, ads] = within(card).getAllByTestId('sync-connection')
    await waitFor(() => expect(within(seller).getByRole('heading', { level: 3 })).toHaveTextContent('Seller account · Acme Store · NA'))
    expect(within(ads).getByRole('heading', { level: 3 })).toHaveTextContent('Ads account · Acme Store · NA')

    // A profile's datasets are lines of one block, each with its state and rows.
    const [us, ca] = within(ads).getAllByTestId('sync-profile')
    const lines = within(us).getAllByTestId('sync-marketplace')
    expect(lines.map((l) => l.querySelector('span')?.textContent)).toEqual(['Campaigns', 'Advertised products', 'Purchased products'])
    expect(lines.map((l) => l.dataset.phase)).toEqual(['up_to_date', 'up_to_date', 'backfill'])
    expect(within(lines[2]).getByTestId('sync-backfill')).toHaveTextContent('66-day backfill 50% (reports) · 10 rows so far')
    expect(within(ca).getAllByTestId('sync-marketplace')).toHaveLength(1)
    // The seller's facts in sight, "Orders changed"; a profile's folded away, counting rows.
    expect(within(seller).getByText('Orders changed')).toBeVisible()
    expect(within(us).getAllByText('Rows changed')).toHaveLength(3)
    expect(within(us).queryByText('Orders changed')).not.toBeInTheDocument()

    // "Run delta now" acts on a whole connection: one button each, not one per row.
    const buttons = within(card).getAllByRole('button', { name: 'Run delta now' })
    expect(buttons).toHaveLength(2)
    await userEvent.click(within(ads).getByRole('button', { name: 'Run delta now' }))
    await waitFor(() => expect(calls.some((r) => r.method === 'POST' && r.url.includes('/api/sync/run'))).toBe(true))
    const asked = calls.find((r) => r.method === 'POST' && r.url.includes('/api/sync/run'))
    expect(new URL(asked!.url).searchParams.get('connection_id')).toBe('c2')

    const runs = within(card).getByRole('table', { name: 'Recent sync runs' })
    expect(within(runs).getByText(/delta · Brand \(US\) · done/)).toBeInTheDocument()
    expect(within(runs).getByText(/delta · United States \(US\) · done/)).toBeInTheDocument()
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
