import { amount, formatMoney, formatMoneyAxis } from '../format'
import { formatRange } from '../range'
import type { AdsTimeseries } from '../types'
import { ChartCard, DailyChart, type Series } from './ChartCard'

const SPEND: Series = { key: 'spend', name: 'Spend', color: 'var(--chart-1)', as: 'bar' }
const AD_SALES: Series = { key: 'ad_sales', name: 'Ad sales', color: 'var(--chart-2)', as: 'line' }
const TOTAL_SALES: Series = { key: 'total_sales', name: 'Total sales', color: 'var(--chart-3)', as: 'line' }

/** Daily spend (bars) against the sales its ads brought and, with a linked seller, all the sales (lines). */
export function SpendSalesChart({ series, linked }: { series: AdsTimeseries; linked: boolean }) {
  const currency = series.currency_code
  const data = series.points.map((p) => ({
    date: p.date,
    spend: amount(p.spend) ?? 0,
    ad_sales: amount(p.ad_sales) ?? 0,
    total_sales: amount(p.total_sales),
  }))
  const first = data[0]
  const last = data[data.length - 1]
  const range = first && last ? formatRange({ start: first.date, end: last.date }) : ''
  const { spend, ad_sales, total_sales } = series.totals
  return (
    <ChartCard
      title="Spend and sales"
      description={
        linked
          ? 'Ad spend per day against ad-attributed sales and all sales of the seller.'
          : 'Ad spend per day against ad-attributed sales.'
      }
      testId="ads-chart-spend-sales"
      summary={
        `${range}: ${formatMoney(spend, currency)} spent, ${formatMoney(ad_sales, currency)} of ad sales` +
        (linked ? `, ${formatMoney(total_sales, currency)} of total sales.` : '.')
      }
    >
      <DailyChart
        data={data}
        series={linked ? [SPEND, AD_SALES, TOTAL_SALES] : [SPEND, AD_SALES]}
        tick={(value) => formatMoneyAxis(value, currency)}
        format={(value) => formatMoney(value, currency)}
        axisWidth={64}
      />
    </ChartCard>
  )
}
