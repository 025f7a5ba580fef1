import { formatCount, formatMoney } from '@/features/orders/format'

export { formatCount, formatMoney }

const DASH = '—'

/** A ratio as a percentage (0.2534 -> "25.3%"); a dash when there is none (its denominator was 0). */
export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return DASH
  return new Intl.NumberFormat(undefined, {
    style: 'percent',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(ratio)
}

/** Return on ad spend, read as "sales per unit of spend" (3.95 -> "3.95×"). */
export function formatRoas(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return DASH
  return `${ratio.toFixed(2)}×`
}

/** Whole units of money on a chart axis ("$1.2K"). */
export function formatMoneyAxis(value: number, currency: string | null | undefined): string {
  const compact = { notation: 'compact', maximumFractionDigits: 1 } as const
  if (!currency) return new Intl.NumberFormat(undefined, compact).format(value)
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency, ...compact }).format(value)
  } catch {
    return `${new Intl.NumberFormat(undefined, compact).format(value)} ${currency}`
  }
}

/** A money string or number as a number for charts; null stays null (no linked seller account). */
export function amount(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null
  const n = Number(value)
  return Number.isFinite(n) ? n : null
}

export type Trend = 'up' | 'down' | 'flat'

export interface Change {
  label: string
  trend: Trend
}

/**
 * The change of a figure against the previous period: relative for money and counts ("+12.5%"), in
 * percentage points for ratios ("-2.1 pts", a relative change of a ratio reads wrongly). Null when there is
 * nothing to compare with.
 */
export function changeOf(
  current: string | number | null | undefined,
  previous: string | number | null | undefined,
  kind: 'amount' | 'ratio',
): Change | null {
  const now = amount(current)
  const before = amount(previous)
  if (now === null || before === null) return null
  const delta = kind === 'ratio' ? (now - before) * 100 : before === 0 ? null : ((now - before) / before) * 100
  if (delta === null) return null
  const rounded = Math.round(delta * 10) / 10
  const trend: Trend = rounded > 0 ? 'up' : rounded < 0 ? 'down' : 'flat'
  const sign = rounded > 0 ? '+' : rounded < 0 ? '−' : '±'
  const size = Math.abs(rounded).toFixed(1)
  return { label: kind === 'ratio' ? `${sign}${size} pts` : `${sign}${size}%`, trend }
}
