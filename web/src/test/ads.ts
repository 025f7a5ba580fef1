/** Fixtures for the Ads page tests: the API's answers in the generated client's shapes. */
import type { AdsDayPoint, AdsProductRow, AdsProfile, AdsTimeseries, AdsTotals } from '@/features/ads/types'
import { ME, TENANT } from './reports'
import { json } from './utils'

export { ME, TENANT }

export function profile(patch: Partial<AdsProfile> = {}): AdsProfile {
  return {
    profile_id: '3001',
    connection_id: 'c-ads',
    country_code: 'US',
    currency_code: 'USD',
    timezone: 'America/Los_Angeles',
    marketplace_id: 'ATVPDKIKX0DER',
    account_type: 'seller',
    account_name: 'Demo Store US',
    linked_sp_connection_id: 'c1',
    linked_seller_name: 'Demo Store',
    sync: {
      state: 'ready',
      progress: 1,
      eta: null,
      data_from: '2026-09-02',
      data_to: '2026-12-05',
      last_synced_at: '2026-12-06T08:00:00Z',
      last_error: null,
    },
    ...patch,
  }
}

const ZERO_DAY = {
  impressions: 0,
  clicks: 0,
  spend: '0.00',
  ad_sales: '0.00',
  purchases: 0,
  units: 0,
  total_sales: '0.00',
  acos: null,
  tacos: null,
  roas: null,
}

export function totals(patch: Partial<AdsTotals> = {}): AdsTotals {
  return {
    impressions: 52000,
    clicks: 910,
    spend: '400.00',
    ad_sales: '1600.00',
    purchases: 64,
    units: 70,
    total_sales: '4000.00',
    acos: 0.25,
    tacos: 0.1,
    roas: 4,
    cpc: 0.44,
    ctr: 0.0175,
    conversion_rate: 0.0703,
    organic_sales: '2400.00',
    ...patch,
  }
}

/** Two days with figures, then a day without a sale (no ACOS that day). */
export function timeseries(patch: Partial<AdsTimeseries> = {}): AdsTimeseries {
  const points: AdsDayPoint[] = [
    { ...ZERO_DAY, date: '2026-12-03', impressions: 30000, clicks: 500, spend: '250.00', ad_sales: '1000.00', total_sales: '2500.00', acos: 0.25, tacos: 0.1, roas: 4 },
    { ...ZERO_DAY, date: '2026-12-04', impressions: 22000, clicks: 410, spend: '150.00', ad_sales: '600.00', total_sales: '1500.00', acos: 0.25, tacos: 0.1, roas: 4 },
    { ...ZERO_DAY, date: '2026-12-05' },
  ]
  return {
    currency_code: 'USD',
    points,
    totals: totals(),
    previous: totals({ spend: '320.00', ad_sales: '1000.00', acos: 0.32, tacos: 0.08 }),
    previous_start: '2026-11-30',
    previous_end: '2026-12-02',
    ...patch,
  }
}

export function emptyTimeseries(): AdsTimeseries {
  const zero = totals({ impressions: 0, clicks: 0, spend: '0.00', ad_sales: '0.00', purchases: 0, units: 0, acos: null, tacos: null, roas: null, cpc: null, ctr: null, conversion_rate: null })
  return timeseries({
    points: ['2026-12-03', '2026-12-04'].map((date) => ({ ...ZERO_DAY, date })),
    totals: zero,
    previous: zero,
  })
}

export function product(asin: string, patch: Partial<AdsProductRow> = {}): AdsProductRow {
  return {
    asin,
    skus: [`SKU-${asin.slice(-3)}`],
    campaign_id: null,
    campaign_name: null,
    ad_group_id: null,
    ad_group_name: null,
    impressions: 12000,
    clicks: 300,
    spend: '120.50',
    ad_sales: '482.00',
    purchases: 20,
    units: 22,
    total_sales: '1205.00',
    organic_sales: '723.00',
    halo_sales: '35.00',
    halo_share: 0.0726,
    acos: 0.25,
    roas: 4,
    tacos: 0.1,
    cpc: 0.4,
    ctr: 0.025,
    conversion_rate: 0.0667,
    ...patch,
  }
}

/** The API's routes over these fixtures; a test overrides the ones it is about. */
export function adsHandlers(overrides: Record<string, (request: Request) => Response | Promise<Response>> = {}) {
  return {
    'GET /api/auth/me': () => json(200, ME),
    'GET /api/tenants/t1': () => json(200, TENANT),
    'GET /api/ads/profiles': () => json(200, { profiles: [profile()] }),
    'GET /api/ads/timeseries': () => json(200, timeseries()),
    'GET /api/ads/products': (request: Request) => {
      const params = new URL(request.url).searchParams
      if (params.get('group') === 'ad_group') {
        return json(200, {
          currency_code: 'USD',
          items: [
            product(params.get('asin') ?? '', { campaign_id: 'k1', campaign_name: 'Mugs - auto', ad_group_id: 'g1', ad_group_name: 'All mugs', spend: '80.00' }),
            product(params.get('asin') ?? '', { campaign_id: 'k2', campaign_name: 'Mugs - exact', ad_group_id: 'g2', ad_group_name: 'Red mug', spend: '40.50' }),
          ],
          next_cursor: null,
        })
      }
      if (params.get('cursor') === 'page-2') {
        return json(200, { currency_code: 'USD', items: [product('B000000003', { spend: '10.00' })], next_cursor: null })
      }
      return json(200, {
        currency_code: 'USD',
        items: [product('B000000001'), product('B000000002', { spend: '60.00', acos: null, tacos: null, total_sales: null, ad_sales: '0.00' })],
        next_cursor: 'page-2',
      })
    },
    'POST /api/ads/sync': () => json(202, { queued: 3 }),
    ...overrides,
  }
}

/** The query of every call to one route, in order. */
export function queries(calls: Request[], path: string): URLSearchParams[] {
  return calls.filter((r) => new URL(r.url).pathname === path).map((r) => new URL(r.url).searchParams)
}
