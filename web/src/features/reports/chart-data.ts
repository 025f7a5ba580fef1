import type { RowColumn, RowValue } from './types'

export interface DayPoint {
  date: string // yyyy-mm-dd
  sales: number
  units: number
}

export interface DaySeries {
  points: DayPoint[]
  currency: string | null
}

function num(value: RowValue | undefined): number {
  const n = Number(value ?? 0)
  return Number.isFinite(n) ? n : 0
}

/**
 * Ordered product sales and units per day from the by-date rows, oldest first (several rows of a day,
 * one per marketplace, add up; only the DAY rows when the table has a `granularity`). The columns are found by what the API says they are: the date column,
 * the money column named like "ordered product sales", the number column named like "units ordered".
 * Null when the page has no such columns.
 */
export function salesByDay(columns: RowColumn[], rows: Record<string, RowValue>[]): DaySeries | null {
  const date = columns.find((c) => c.type === 'date') ?? columns.find((c) => c.key === 'date')
  const money = columns.filter((c) => c.type === 'money')
  const numbers = columns.filter((c) => c.type === 'number')
  const sales = money.find((c) => /ordered_?product_?sales/i.test(c.key)) ?? money[0]
  const units = numbers.find((c) => /units_?ordered/i.test(c.key) && !/b2b/i.test(c.key)) ?? numbers[0]
  if (!date || !sales || !units) return null
  // A table holding weeks or months as well as days: the chart shows the days.
  const daily = rows.some((r) => r.granularity === 'DAY') ? rows.filter((r) => r.granularity === 'DAY') : rows
  const byDay = new Map<string, DayPoint>()
  let currency: string | null = null
  for (const row of daily) {
    const day = String(row[date.key] ?? '').slice(0, 10)
    if (!day) continue
    const point = byDay.get(day) ?? { date: day, sales: 0, units: 0 }
    point.sales += num(row[sales.key])
    point.units += num(row[units.key])
    byDay.set(day, point)
    for (const key of [`${sales.key}_currency`, `${sales.key}_currency_code`, 'currency_code', 'currency']) {
      const value = row[key]
      if (!currency && typeof value === 'string' && value) currency = value
    }
  }
  const points = [...byDay.values()].sort((a, b) => a.date.localeCompare(b.date))
  return points.length > 0 ? { points, currency } : null
}
