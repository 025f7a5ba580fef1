import { ArrowDownRight, ArrowUpRight, Minus } from 'lucide-react'

import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { cn } from '@/lib/utils'
import { changeOf, formatMoney, formatPercent, type Change } from '../format'
import { formatRange } from '../range'
import type { AdsTimeseries, AdsTotals } from '../types'

type Metric = 'spend' | 'ad_sales' | 'acos' | 'tacos'

interface CardSpec {
  metric: Metric
  label: string
  kind: 'amount' | 'ratio'
  /** Whether a rise is good news (ad sales), bad news (ACOS, TACOS) or neither (spend). */
  rise: 'good' | 'bad' | 'neutral'
}

const CARDS: CardSpec[] = [
  { metric: 'spend', label: 'Spend', kind: 'amount', rise: 'neutral' },
  { metric: 'ad_sales', label: 'Ad sales', kind: 'amount', rise: 'good' },
  { metric: 'acos', label: 'ACOS', kind: 'ratio', rise: 'bad' },
  { metric: 'tacos', label: 'TACOS', kind: 'ratio', rise: 'bad' },
]

function display(spec: CardSpec, totals: AdsTotals, currency: string | null): string {
  const value = totals[spec.metric]
  return spec.kind === 'amount' ? formatMoney(value, currency) : formatPercent(value as number | null)
}

function tone(spec: CardSpec, change: Change): string {
  if (change.trend === 'flat' || spec.rise === 'neutral') return 'text-muted-foreground'
  const good = (change.trend === 'up') === (spec.rise === 'good')
  return good ? 'text-emerald-600 dark:text-emerald-400' : 'text-destructive'
}

function ChangeLine({ spec, change, previous }: { spec: CardSpec; change: Change | null; previous: string }) {
  if (!change) {
    return (
      <p className="text-muted-foreground text-xs" data-testid="ads-card-change">
        No figure to compare in {previous}
      </p>
    )
  }
  const Icon = change.trend === 'up' ? ArrowUpRight : change.trend === 'down' ? ArrowDownRight : Minus
  return (
    <p className="text-muted-foreground flex items-center gap-1 text-xs" data-testid="ads-card-change" data-trend={change.trend}>
      <span className={cn('inline-flex items-center gap-0.5 font-medium tabular-nums', tone(spec, change))}>
        <Icon className="size-3.5" aria-hidden />
        {change.label}
      </span>
      <span className="truncate">vs {previous}</span>
    </p>
  )
}

/** Spend, ad sales, ACOS and TACOS of the range, each against the period of the same length before it. */
export function HeadlineCards({ series, linked }: { series: AdsTimeseries; linked: boolean }) {
  const previous = formatRange({ start: series.previous_start, end: series.previous_end })
  return (
    <div className="grid grid-cols-2 gap-3 sm:gap-4 xl:grid-cols-4">
      {CARDS.map((spec) => {
        const value = series.totals[spec.metric]
        const change = changeOf(value, series.previous[spec.metric], spec.kind)
        return (
          <Card key={spec.metric} className="gap-2 py-4 sm:py-5" data-testid={`ads-card-${spec.metric}`} data-value={value ?? ''}>
            <CardHeader className="px-4 sm:px-5">
              <CardDescription>{spec.label}</CardDescription>
            </CardHeader>
            <CardContent className="space-y-1 px-4 sm:px-5">
              <CardTitle className="text-2xl font-semibold tabular-nums" data-testid="ads-card-value">
                {display(spec, series.totals, series.currency_code)}
              </CardTitle>
              {spec.metric === 'tacos' && !linked ? (
                <p className="text-muted-foreground text-xs">Needs a linked seller account</p>
              ) : (
                <ChangeLine spec={spec} change={change} previous={previous} />
              )}
            </CardContent>
          </Card>
        )
      })}
    </div>
  )
}
