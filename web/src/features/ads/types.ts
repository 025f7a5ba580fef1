/**
 * The Ads read API's shapes, from the generated client (`app/ads/schemas.py`). The rest of the feature imports
 * them from here only.
 *
 * Money is a decimal string in the profile's currency; ratios are floats, null when the denominator is 0;
 * dates are the profile's local days (yyyy-mm-dd).
 */
import type { components, operations } from '@/client/schema.gen'

type Schemas = components['schemas']

export type AdsProfileSync = Schemas['AdsProfileSync']
export type AdsSyncState = AdsProfileSync['state']
export type AdsProfile = Schemas['AdsProfileWithSync']
export type AdsProfilesOut = Schemas['AdsProfilesPage']
/** The figures of a range: what a day has, and the ratios a range adds. */
export type AdsTotals = Schemas['AdsSeriesTotals']
export type AdsDayPoint = Schemas['AdsSeriesPoint']
export type AdsTimeseries = Schemas['AdsTimeseriesOut']
/** One row of the per-product table; the campaign and ad group keys are set when grouped by them. */
export type AdsProductRow = Schemas['AdsProductOut']
export type AdsProductsPage = Schemas['AdsProductsOut']
export type AdsSyncQueued = Schemas['AdsSyncOut']

/** Days after the click within which a purchase counts (7 is Amazon's default for sellers). */
export type Attribution = Schemas['Attribution']
type ProductsParams = NonNullable<operations['list_products_api_ads_products_get']['parameters']['query']>
export type ProductGroup = NonNullable<ProductsParams['group']>
export type ProductSort = NonNullable<ProductsParams['sort']>
export type SortOrder = NonNullable<ProductsParams['order']>

export interface TableSort {
  sort: ProductSort
  order: SortOrder
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
