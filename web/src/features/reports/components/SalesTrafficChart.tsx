import { useId } from 'react'

import type { DaySeries } from '../chart-data'
import { formatDay } from '../format'

const W = 800
const H = 220
const PAD = { left: 64, right: 48, top: 12, bottom: 28 }
const PLOT_W = W - PAD.left - PAD.right
const PLOT_H = H - PAD.top - PAD.bottom

/** Whole units on the axis, cents in the description. */
function money(value: number, currency: string | null, digits = 0): string {
  const opts = { minimumFractionDigits: digits, maximumFractionDigits: digits }
  if (!currency) return new Intl.NumberFormat(undefined, opts).format(value)
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency, ...opts }).format(value)
  } catch {
    return `${value.toFixed(digits)} ${currency}`
  }
}

/**
 * Ordered product sales (line, left axis) and units ordered (bars, right axis) per day, as an inline SVG:
 * no chart library for one chart. The description repeats the totals for screen readers.
 */
export function SalesTrafficChart({ series }: { series: DaySeries }) {
  const id = useId()
  const { points, currency } = series
  const first = points[0]
  const last = points[points.length - 1]
  if (!first || !last) return null
  const maxSales = Math.max(...points.map((p) => p.sales), 1)
  const maxUnits = Math.max(...points.map((p) => p.units), 1)
  const step = points.length > 1 ? PLOT_W / (points.length - 1) : 0
  const x = (i: number) => PAD.left + (points.length > 1 ? i * step : PLOT_W / 2)
  const ySales = (v: number) => PAD.top + PLOT_H - (v / maxSales) * PLOT_H
  const yUnits = (v: number) => PAD.top + PLOT_H - (v / maxUnits) * PLOT_H
  const barW = Math.max(2, Math.min(24, (points.length > 1 ? step : PLOT_W) * 0.6))
  const line = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${ySales(p.sales).toFixed(1)}`).join(' ')
  const area = `${line} L${x(points.length - 1).toFixed(1)},${PAD.top + PLOT_H} L${x(0).toFixed(1)},${PAD.top + PLOT_H} Z`
  const totalSales = points.reduce((sum, p) => sum + p.sales, 0)
  const totalUnits = points.reduce((sum, p) => sum + p.units, 0)
  const label = `Ordered product sales and units ordered by day, ${formatDay(first.date)} to ${formatDay(last.date)}`
  const description = `${points.length} days: ${money(totalSales, currency, 2)} of ordered product sales and ${totalUnits.toLocaleString()} units in total; the best day sold ${money(maxSales, currency, 2)}.`

  return (
    <figure className="space-y-2">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        className="h-auto max-h-80 w-full"
        role="img"
        aria-label={label}
        aria-describedby={`${id}-desc`}
        data-testid="sales-traffic-chart"
      >
        <title>{label}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        <line x1={PAD.left} x2={W - PAD.right} y1={PAD.top + PLOT_H} y2={PAD.top + PLOT_H} className="stroke-border" />
        <line x1={PAD.left} x2={W - PAD.right} y1={PAD.top} y2={PAD.top} className="stroke-border" strokeDasharray="3 3" />
        {points.map((p, i) => (
          <rect
            key={p.date}
            x={x(i) - barW / 2}
            y={yUnits(p.units)}
            width={barW}
            height={PAD.top + PLOT_H - yUnits(p.units)}
            className="fill-muted-foreground/25"
            data-units={p.units}
          />
        ))}
        <path d={area} className="fill-primary/10" />
        <path d={line} fill="none" className="stroke-primary" strokeWidth={2} data-testid="sales-line" />
        {points.map((p, i) => (
          <circle key={p.date} cx={x(i)} cy={ySales(p.sales)} r={2.5} className="fill-primary" />
        ))}
        <g className="fill-muted-foreground text-[11px]">
          <text x={PAD.left - 6} y={PAD.top + 4} textAnchor="end">
            {money(maxSales, currency)}
          </text>
          <text x={PAD.left - 6} y={PAD.top + PLOT_H} textAnchor="end">
            {money(0, currency)}
          </text>
          <text x={W - PAD.right + 6} y={PAD.top + 4}>
            {maxUnits.toLocaleString()}
          </text>
          <text x={W - PAD.right + 6} y={PAD.top + PLOT_H}>
            0
          </text>
          <text x={x(0)} y={H - 8} textAnchor={points.length > 1 ? 'start' : 'middle'}>
            {formatDay(first.date)}
          </text>
          {points.length > 1 ? (
            <text x={x(points.length - 1)} y={H - 8} textAnchor="end">
              {formatDay(last.date)}
            </text>
          ) : null}
        </g>
      </svg>
      <figcaption className="text-muted-foreground flex flex-wrap gap-4 text-xs" aria-hidden>
        <span className="flex items-center gap-1.5">
          <span className="bg-primary inline-block h-0.5 w-4" /> Ordered product sales (left)
        </span>
        <span className="flex items-center gap-1.5">
          <span className="bg-muted-foreground/25 inline-block size-3" /> Units ordered (right)
        </span>
      </figcaption>
    </figure>
  )
}
