/** The per-product table's columns: which figure, how it is written, and the API's sort key. */
import { formatCount, formatMoney, formatPercent, formatRoas } from './format'
import type { AdsProductRow, ProductSort } from './types'

type Key = keyof AdsProductRow
type Kind = 'money' | 'percent' | 'roas' | 'count'

export interface Column {
  key: Key
  label: string
  /** What the header's title says when the label is an abbreviation. */
  title?: string
  kind: Kind
  /** The API's sort key, when the table can be sorted by this column. */
  sort?: ProductSort
}

/** The figures of a product (or of one of its ad groups), in the order of the table's columns. */
export const COLUMNS: Column[] = [
  { key: 'spend', label: 'Spend', kind: 'money', sort: 'spend' },
  { key: 'ad_sales', label: 'Ad sales', kind: 'money', sort: 'ad_sales' },
  { key: 'acos', label: 'ACOS', title: 'Advertising cost of sales: spend / ad sales', kind: 'percent', sort: 'acos' },
  { key: 'roas', label: 'ROAS', title: 'Return on ad spend: ad sales / spend', kind: 'roas', sort: 'roas' },
  { key: 'tacos', label: 'TACOS', title: 'Total advertising cost of sales: spend / total sales', kind: 'percent', sort: 'tacos' },
  { key: 'total_sales', label: 'Total sales', title: 'Every order sale of the product on these days', kind: 'money', sort: 'total_sales' },
  { key: 'organic_sales', label: 'Organic', title: 'Total sales less the sales its own ads brought', kind: 'money' },
  { key: 'halo_sales', label: 'Halo', title: 'Sales of other products that its ads brought', kind: 'money' },
  { key: 'impressions', label: 'Impr.', title: 'Impressions', kind: 'count', sort: 'impressions' },
  { key: 'clicks', label: 'Clicks', kind: 'count', sort: 'clicks' },
  { key: 'ctr', label: 'CTR', title: 'Click-through rate: clicks / impressions', kind: 'percent', sort: 'ctr' },
  { key: 'cpc', label: 'CPC', title: 'Cost per click: spend / clicks', kind: 'money', sort: 'cpc' },
  { key: 'conversion_rate', label: 'Conv.', title: 'Conversion rate: orders / clicks', kind: 'percent' },
  { key: 'units', label: 'Units', kind: 'count', sort: 'units' },
]

/** A figure of the table as its column shows it. */
export function formatted(kind: Kind, value: unknown, currency: string | null): string {
  switch (kind) {
    case 'money':
      return formatMoney(value as string | number | null, currency)
    case 'percent':
      return formatPercent(value as number | null)
    case 'roas':
      return formatRoas(value as number | null)
    case 'count':
      return typeof value === 'number' ? formatCount(value) : '—'
  }
}
