import type { ReactNode } from 'react'
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'

import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'

const HEIGHT = 260

/** A chart in a card: the figure is named by its title, and its test id marks the drawn chart's container. */
export function ChartCard({
  title,
  description,
  testId,
  summary,
  children,
}: {
  title: string
  description: string
  testId: string
  /** What the chart shows, in words, for screen readers. */
  summary: string
  children: ReactNode
}) {
  return (
    <Card className="gap-4">
      <CardHeader>
        <CardTitle>{title}</CardTitle>
        <CardDescription>{description}</CardDescription>
      </CardHeader>
      <CardContent className="px-2 sm:px-4">
        <figure aria-label={title} data-testid={testId} style={{ height: HEIGHT }}>
          {children}
          <figcaption className="sr-only">{summary}</figcaption>
        </figure>
      </CardContent>
    </Card>
  )
}

/** "Mar 4" on the date axis (the days are the profile's; no time zone shift). */
function shortDay(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' })
}

/** "Wed, Mar 4, 2026" in the tooltip. */
function longDay(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(undefined, {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    year: 'numeric',
    timeZone: 'UTC',
  })
}

export interface Series {
  key: string
  name: string
  color: string
  as: 'line' | 'bar'
}

export type DayRow = { date: string } & Record<string, number | string | null>

/**
 * One value per day for each series, lines or bars, on one axis. A null value is a gap in its line (a day
 * without a ratio), never a zero. Animation is off: the figures are the point, and a screenshot taken at
 * any moment shows them whole.
 */
export function DailyChart({
  data,
  series,
  tick,
  format,
  axisWidth,
}: {
  data: DayRow[]
  series: Series[]
  /** The value axis' labels. */
  tick: (value: number) => string
  /** A value in the tooltip. */
  format: (value: number | null) => string
  axisWidth: number
}) {
  return (
    <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 640, height: HEIGHT }}>
      <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid vertical={false} strokeDasharray="3 3" stroke="var(--border)" />
        <XAxis dataKey="date" tickFormatter={shortDay} tickLine={false} axisLine={false} minTickGap={24} fontSize={12} />
        <YAxis tickFormatter={tick} tickLine={false} axisLine={false} width={axisWidth} fontSize={12} />
        <Tooltip labelFormatter={(day) => longDay(String(day))} formatter={(value) => format(value as number | null)} />
        <Legend iconSize={10} wrapperStyle={{ fontSize: 12 }} />
        {series.map((s) =>
          s.as === 'bar' ? (
            <Bar key={s.key} dataKey={s.key} name={s.name} fill={s.color} radius={[3, 3, 0, 0]} maxBarSize={24}
              isAnimationActive={false} data-testid={`ads-bars-${s.key}`} />
          ) : (
            <Line key={s.key} dataKey={s.key} name={s.name} stroke={s.color} strokeWidth={2} dot={false}
              isAnimationActive={false} data-testid={`ads-line-${s.key}`} />
          ),
        )}
      </ComposedChart>
    </ResponsiveContainer>
  )
}
