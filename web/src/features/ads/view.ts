/**
 * What the Ads page shows, kept in its URL (a link or a reload shows the same): the profile, the range
 * (a preset, or custom days), the attribution window and the table's sort.
 */
import { isPreset, presetRange, rangeProblem, type DateRange, type Preset, type RangeChoice } from './range'
import type { AdsDayPoint, Attribution, ProductSort, TableSort } from './types'

export interface AdsView {
  profileId: string | null
  choice: RangeChoice
  attribution: Attribution
  sort: TableSort
}

/** Keyed by the API's sort keys: tsc fails when the API adds or drops one. */
const SORTABLE: Record<ProductSort, true> = {
  spend: true,
  ad_sales: true,
  acos: true,
  roas: true,
  tacos: true,
  clicks: true,
  impressions: true,
  units: true,
  total_sales: true,
  cpc: true,
  ctr: true,
}

function isProductSort(value: string | null): value is ProductSort {
  return value !== null && Object.hasOwn(SORTABLE, value)
}

export const DEFAULT_VIEW: Omit<AdsView, 'profileId'> = {
  choice: { preset: 30 },
  attribution: 7,
  sort: { sort: 'spend', order: 'desc' },
}

/** The view in the URL; anything missing or not understood (an old or edited link) takes its default. */
export function readView(params: URLSearchParams): AdsView {
  const range = params.get('range')
  const custom = { start: params.get('start') ?? '', end: params.get('end') ?? '' }
  const choice: RangeChoice = isPreset(range)
    ? { preset: Number(range) as Preset }
    : range === 'custom' && rangeProblem(custom) === null
      ? { preset: 'custom', ...custom }
      : DEFAULT_VIEW.choice
  const sort = params.get('sort')
  return {
    profileId: params.get('profile'),
    choice,
    attribution: params.get('attribution') === '14' ? 14 : 7,
    sort: {
      sort: isProductSort(sort) ? sort : DEFAULT_VIEW.sort.sort,
      order: params.get('order') === 'asc' ? 'asc' : 'desc',
    },
  }
}

/** The URL parameters of a change to the view (an empty value removes the parameter). */
export function choiceParams(choice: RangeChoice): Record<string, string> {
  return choice.preset === 'custom'
    ? { range: 'custom', start: choice.start, end: choice.end }
    : { range: String(choice.preset), start: '', end: '' }
}

/** The local days a choice stands for in the profile's time zone. */
export function resolveRange(choice: RangeChoice, timezone: string | null | undefined): DateRange {
  return choice.preset === 'custom' ? { start: choice.start, end: choice.end } : presetRange(choice.preset, timezone)
}

/** Whether any day of the series saw an impression, a click, a cost or an attributed sale. */
export function hasAdData(points: AdsDayPoint[]): boolean {
  return points.some((p) => p.impressions > 0 || p.clicks > 0 || Number(p.spend) > 0 || Number(p.ad_sales) > 0)
}
