import { configure, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeAll, describe, expect, it } from 'vitest'

import { addDays, todayIn } from '@/features/ads/range'
import { adsHandlers, emptyTimeseries, profile, queries, TENANT, timeseries } from '@/test/ads'
import { apiError, json, mockFetch, renderRoutes } from '@/test/utils'
import { routes } from '../index'

const PATH = '/dashboard/tenants/t1/ads'

/** A response the test releases when it wants (to see the loading state first). */
function held() {
  let release: (response: Response) => void = () => undefined
  const promise = new Promise<Response>((resolve) => {
    release = resolve
  })
  return { handler: () => promise, release }
}

describe('ads page', () => {
  // The page is a lazy chunk: loaded once here, so no test waits on its first import. Its charts take a
  // while to lay out in jsdom, more so on a busy machine: the page gets 5 s to show up.
  beforeAll(async () => {
    configure({ asyncUtilTimeout: 5000 })
    await import('./AdsPage')
  })

  it('shows a loading state, then the headline figures against the previous period', async () => {
    const profiles = held()
    mockFetch(adsHandlers({ 'GET /api/ads/profiles': profiles.handler }))
    renderRoutes(routes, PATH)
    expect(await screen.findByTestId('ads-profiles-loading')).toBeInTheDocument()
    profiles.release(json(200, { profiles: [profile()] }))

    const spend = await screen.findByTestId('ads-card-spend')
    expect(within(spend).getByTestId('ads-card-value')).toHaveTextContent('$400.00')
    expect(within(spend).getByTestId('ads-card-change')).toHaveTextContent('+25.0%')
    expect(within(spend).getByTestId('ads-card-change')).toHaveTextContent('vs Nov 30 – Dec 2, 2026')
    expect(within(screen.getByTestId('ads-card-ad_sales')).getByTestId('ads-card-value')).toHaveTextContent('$1,600.00')
    expect(within(screen.getByTestId('ads-card-ad_sales')).getByTestId('ads-card-change')).toHaveTextContent('+60.0%')
    const acos = screen.getByTestId('ads-card-acos')
    expect(within(acos).getByTestId('ads-card-value')).toHaveTextContent('25.0%')
    // A ratio changes in points, and a lower ACOS is good news.
    expect(within(acos).getByTestId('ads-card-change')).toHaveTextContent('−7.0 pts')
    expect(within(acos).getByTestId('ads-card-change')).toHaveAttribute('data-trend', 'down')
    expect(within(screen.getByTestId('ads-card-tacos')).getByTestId('ads-card-value')).toHaveTextContent('10.0%')
    expect(screen.getByTestId('ads-linked-seller')).toHaveTextContent('Linked to seller Demo Store (ATVPDKIKX0DER)')
  })

  it('asks for the last 30 days of the profile, in its time zone, then for the preset picked', async () => {
    const { calls } = mockFetch(adsHandlers())
    renderRoutes(routes, PATH)
    await screen.findByTestId('ads-card-spend')
    const today = todayIn('America/Los_Angeles')
    const first = queries(calls, '/api/ads/timeseries')[0]!
    expect(Object.fromEntries(first)).toMatchObject({
      tenant_id: 't1',
      profile_id: '3001',
      start: addDays(today, -29),
      end: today,
      attribution: '7',
    })
    await userEvent.click(screen.getByRole('button', { name: '7 days' }))
    await waitFor(() => expect(queries(calls, '/api/ads/timeseries').at(-1)!.get('start')).toBe(addDays(today, -6)))
    expect(screen.getByRole('button', { name: '7 days' })).toHaveAttribute('aria-pressed', 'true')
    expect(queries(calls, '/api/ads/products').at(-1)!.get('start')).toBe(addDays(today, -6))
  })

  it('takes a custom range, refusing one that runs backwards', async () => {
    const { calls } = mockFetch(adsHandlers())
    renderRoutes(routes, PATH)
    await userEvent.click(await screen.findByRole('button', { name: 'Custom' }))
    const from = screen.getByLabelText('From')
    const to = screen.getByLabelText('To')
    await userEvent.clear(from)
    await userEvent.type(from, '2026-11-20')
    await userEvent.clear(to)
    await userEvent.type(to, '2026-11-10')
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }))
    expect(screen.getByRole('alert')).toHaveTextContent('The first day comes after the last one.')
    await userEvent.clear(to)
    await userEvent.type(to, '2026-11-25')
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }))
    await waitFor(() => expect(queries(calls, '/api/ads/timeseries').at(-1)!.get('end')).toBe('2026-11-25'))
    expect(queries(calls, '/api/ads/timeseries').at(-1)!.get('start')).toBe('2026-11-20')
    expect(screen.getByTestId('ads-range')).toHaveTextContent('Nov 20 – Nov 25, 2026')
  })

  it('draws the spend and sales chart and the ACOS and TACOS chart', async () => {
    mockFetch(adsHandlers())
    renderRoutes(routes, PATH)
    const spendSales = await screen.findByTestId('ads-chart-spend-sales')
    expect(spendSales).toHaveAccessibleName('Spend and sales')
    // A line through each day (M x,y L x,y ...); a bar for each day that had spend.
    const vertices = (chart: HTMLElement, testId: string) =>
      (chart.querySelector(`[data-testid="${testId}"]`)?.getAttribute('d') ?? '').match(/[ML]/g)?.length ?? 0
    await waitFor(() => expect(vertices(spendSales, 'ads-line-ad_sales')).toBe(3))
    expect(vertices(spendSales, 'ads-line-total_sales')).toBe(3)
    expect(spendSales.querySelectorAll('[data-testid="ads-bars-spend"]')).toHaveLength(2)
    const ratios = screen.getByTestId('ads-chart-acos-tacos')
    // The last day sold nothing: no ratio, so the lines stop at the second day.
    expect(vertices(ratios, 'ads-line-acos')).toBe(2)
    expect(vertices(ratios, 'ads-line-tacos')).toBe(2)
  })

  it('shows the first backfill with its progress and ETA, and refreshes while it runs', async () => {
    const eta = new Date(Date.now() + 2 * 3600_000 + 60_000).toISOString()
    const backfilling = profile({
      sync: { state: 'backfilling', progress: 0.4, eta, data_from: '2026-11-06', data_to: '2026-12-05', last_synced_at: null, last_error: null },
    })
    mockFetch(adsHandlers({ 'GET /api/ads/profiles': () => json(200, { profiles: [backfilling] }) }))
    renderRoutes(routes, PATH)
    const state = await screen.findByTestId('ads-backfill')
    expect(within(state).getByRole('progressbar', { name: 'Ads backfill' })).toHaveAttribute('aria-valuenow', '40')
    expect(within(state).getByTestId('ads-backfill-status')).toHaveTextContent('40% done · about 2 h 1 min left · days so far: Nov 6 – Dec 5, 2026')
    // The days already loaded are shown meanwhile.
    expect(await screen.findByTestId('ads-card-spend')).toBeInTheDocument()
  })

  it('says when a range has no advertising data, and offers the days that have some', async () => {
    const { calls } = mockFetch(adsHandlers({ 'GET /api/ads/timeseries': () => json(200, emptyTimeseries()) }))
    renderRoutes(routes, PATH)
    const empty = await screen.findByTestId('ads-no-data')
    expect(empty).toHaveTextContent('No advertising data in this range')
    expect(empty).toHaveTextContent('This profile has data from Sep 2 – Dec 5, 2026')
    expect(screen.queryByTestId('ads-card-spend')).not.toBeInTheDocument()
    await userEvent.click(within(empty).getByRole('button', { name: /Show Sep 2/ }))
    await waitFor(() => expect(queries(calls, '/api/ads/timeseries').at(-1)!.get('start')).toBe('2026-09-02'))
    expect(queries(calls, '/api/ads/timeseries').at(-1)!.get('end')).toBe('2026-12-05')
  })

  it('reads the figures again when the first backfill ends, even after their last poll', async () => {
    const backfilling = profile({
      sync: { state: 'backfilling', progress: 0.5, eta: null, data_from: null, data_to: null, last_synced_at: null, last_error: null },
    })
    let loaded = false
    mockFetch(
      adsHandlers({
        'GET /api/ads/profiles': () => json(200, { profiles: [loaded ? profile() : backfilling] }),
        'GET /api/ads/timeseries': () => json(200, loaded ? timeseries() : emptyTimeseries()),
      }),
    )
    renderRoutes(routes, PATH)
    expect(await screen.findByTestId('ads-no-data')).toBeInTheDocument()
    // The last days land; the profiles are read again (here: after "Sync now") and say the backfill is done.
    loaded = true
    await userEvent.click(screen.getByRole('button', { name: 'Sync now' }))
    expect(await screen.findByTestId('ads-card-spend')).toBeInTheDocument()
    expect(screen.queryByTestId('ads-backfill')).not.toBeInTheDocument()
  })

  it('leads to the Amazon integration when no Ads account is connected', async () => {
    mockFetch(adsHandlers({ 'GET /api/ads/profiles': () => json(200, { profiles: [] }) }))
    renderRoutes(routes, PATH)
    const empty = (await screen.findByText('No advertising profile')).closest('div.border-dashed') as HTMLElement
    expect(within(empty).getByRole('link', { name: 'Amazon integration' })).toHaveAttribute('href', '/dashboard/tenants/t1/integrations/amazon')
  })

  it('shows the API error with a retry', async () => {
    let fail = true
    mockFetch(
      adsHandlers({
        'GET /api/ads/timeseries': () => (fail ? apiError(500, 'internal', 'The database is away.') : json(200, emptyTimeseries())),
      }),
    )
    renderRoutes(routes, PATH)
    expect(await screen.findByText('Could not load the advertising figures')).toBeInTheDocument()
    expect(screen.getByText('The database is away.')).toBeInTheDocument()
    fail = false
    await userEvent.click(screen.getByRole('button', { name: /try again/i }))
    expect(await screen.findByTestId('ads-no-data')).toBeInTheDocument()
  })

  it('lets admins run the sync now, and only them', async () => {
    const { calls } = mockFetch(adsHandlers())
    renderRoutes(routes, PATH)
    await userEvent.click(await screen.findByRole('button', { name: 'Sync now' }))
    expect(await screen.findByTestId('ads-sync-result')).toHaveTextContent('3 sync runs queued')
    const post = calls.find((r) => r.method === 'POST')!
    expect(new URL(post.url).searchParams.get('tenant_id')).toBe('t1')
    expect(await post.clone().json()).toEqual({ profile_id: '3001' })
  })

  it('hides "Sync now" from viewers', async () => {
    mockFetch(adsHandlers({ 'GET /api/tenants/t1': () => json(200, { ...TENANT, role: 'viewer' }) }))
    renderRoutes(routes, PATH)
    await screen.findByTestId('ads-card-spend')
    expect(screen.queryByRole('button', { name: 'Sync now' })).not.toBeInTheDocument()
  })
})
