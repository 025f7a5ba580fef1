/**
 * The Ads read API's shapes (`GET /api/ads/profiles|products|timeseries`, `POST /api/ads/sync`), written from
 * the API contract until the generated client has them; then these become aliases of
 * `components['schemas'][...]` and `AdsPaths` goes away. The rest of the feature imports them from here only.
 *
 * Money is a decimal string in the profile's currency; ratios are floats, null when the denominator is 0;
 * dates are the profile's local days (yyyy-mm-dd).
 */

export type AdsSyncState = 'backfilling' | 'ready' | 'paused' | 'error'

export interface AdsProfileSync {
  state: AdsSyncState
  /** 0..1 of the first backfill. */
  progress: number
  eta: string | null
  data_from: string | null
  data_to: string | null
  last_synced_at: string | null
  last_error: string | null
}

export interface AdsProfile {
  profile_id: string
  connection_id: string
  country_code: string | null
  currency_code: string | null
  timezone: string | null
  marketplace_id: string | null
  account_type: string | null
  account_name: string | null
  linked_sp_connection_id: string | null
  linked_seller_name: string | null
  sync: AdsProfileSync
}

export interface AdsProfilesOut {
  profiles: AdsProfile[]
}

export type Attribution = 7 | 14
export type ProductGroup = 'asin' | 'campaign' | 'ad_group'
export type ProductSort =
  | 'spend'
  | 'ad_sales'
  | 'acos'
  | 'roas'
  | 'tacos'
  | 'clicks'
  | 'impressions'
  | 'units'
  | 'total_sales'
  | 'cpc'
  | 'ctr'
export type SortOrder = 'desc' | 'asc'

export interface TableSort {
  sort: ProductSort
  order: SortOrder
}

/** The figures every row, day and total has (money in the profile's currency). */
export interface AdsFigures {
  impressions: number
  clicks: number
  spend: string
  ad_sales: string
  purchases: number
  units: number
  /** Null when the profile has no linked seller account (so no TACOS and no organic sales either). */
  total_sales: string | null
  acos: number | null
  roas: number | null
  tacos: number | null
}

/** The figures of a range: a day's, and the ratios a range adds. */
export interface AdsTotals extends AdsFigures {
  cpc: string | number | null
  ctr: number | null
  conversion_rate: number | null
  /** Total sales less the sales the product's own ads brought; null without a linked seller account. */
  organic_sales: string | null
}

/** One row of the per-product table; the campaign and ad group keys are there when grouped by them. */
export interface AdsProductRow extends AdsTotals {
  asin: string
  skus: string[]
  campaign_id?: string | null
  campaign_name?: string | null
  ad_group_id?: string | null
  ad_group_name?: string | null
  /** Sales of other products that this product's ads brought (purchased-product rows). */
  halo_sales: string | null
}

export interface AdsProductsPage {
  currency_code: string | null
  items: AdsProductRow[]
  next_cursor: string | null
}

export interface AdsDayPoint extends AdsFigures {
  date: string
}

export interface AdsTimeseries {
  currency_code: string | null
  points: AdsDayPoint[]
  totals: AdsTotals
  /** The same figures for the period of the same length just before `start`. */
  previous: AdsTotals
  previous_start: string
  previous_end: string
}

export interface AdsSyncQueued {
  queued: number
}

/** What every Ads read is asked for: one profile, local days (inclusive), an attribution window. */
export interface AdsQuery {
  profile_id: string
  start: string
  end: string
  attribution: Attribution
}

export interface ProductsQuery extends AdsQuery {
  group: ProductGroup
  sort: ProductSort
  order: SortOrder
  asin?: string
}

type NoParameters = { query?: never; header?: never; path?: never; cookie?: never }
type Methods = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch' | 'trace'
type Route<M extends Methods, Op> = { parameters: NoParameters } & { [K in M]: Op } & { [K in Exclude<Methods, M>]?: never }
type Json<Status extends number, T> = {
  [S in Status]: { headers: { [name: string]: unknown }; content: { 'application/json': T } }
}
type OpParameters<Q> = { query: Q; header?: never; path?: never; cookie?: never }
type Get<Q, T> = { parameters: OpParameters<Q>; requestBody?: never; responses: Json<200, T> }
type TenantQuery = { tenant_id: string }
type ReadQuery = TenantQuery & AdsQuery

/** The routes in the shape the generated client gives its paths, so the typed client can call them. */
export interface AdsPaths {
  '/api/ads/profiles': Route<'get', Get<TenantQuery, AdsProfilesOut>>
  '/api/ads/products': Route<
    'get',
    Get<ReadQuery & Omit<ProductsQuery, keyof AdsQuery> & { cursor?: string; limit?: number }, AdsProductsPage>
  >
  '/api/ads/timeseries': Route<'get', Get<ReadQuery & { asin?: string }, AdsTimeseries>>
  '/api/ads/sync': Route<
    'post',
    {
      parameters: OpParameters<TenantQuery>
      requestBody: { content: { 'application/json': { profile_id?: string } } }
      responses: Json<202, AdsSyncQueued>
    }
  >
}
