import { formatPercent } from '../format'
import type { AdsTimeseries } from '../types'
import { ChartCard, DailyChart, type Series } from './ChartCard'

const ACOS: Series = { key: 'acos', name: 'ACOS', color: 'var(--chart-1)', as: 'line' }
const TACOS: Series = { key: 'tacos', name: 'TACOS', color: 'var(--chart-3)', as: 'line' }

/**
 * ACOS (spend over ad sales) and TACOS (spend over all sales) per day. A day without sales has no ratio:
 * the line breaks there instead of dropping to zero.
 */
export function AcosTacosChart({ series, linked }: { series: AdsTimeseries; linked: boolean }) {
  const data = series.points.map((p) => ({ date: p.date, acos: p.acos, tacos: p.tacos }))
  return (
    <ChartCard
      title="ACOS and TACOS"
      description={linked ? 'Spend as a share of ad sales and of all sales, per day.' : 'Spend as a share of ad sales, per day.'}
      testId="ads-chart-acos-tacos"
      summary={
        `ACOS ${formatPercent(series.totals.acos)} over the range` +
        (linked ? `, TACOS ${formatPercent(series.totals.tacos)}.` : '; TACOS needs a linked seller account.')
      }
    >
      <DailyChart
        data={data}
        series={linked ? [ACOS, TACOS] : [ACOS]}
        tick={(value) => formatPercent(value, 0)}
        format={(value) => formatPercent(value)}
        axisWidth={48}
      />
    </ChartCard>
  )
}
