import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { tenantHandlers as handlers } from '@/test/tenant'
import { json, mockFetch, renderRoutes } from '@/test/utils'
import { routes } from '../index'

describe('TenantOverviewPage sync card', () => {
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
})
