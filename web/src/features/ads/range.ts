/**
 * Date ranges of the Ads page. Amazon reports an Ads profile's days in the profile's own time zone, and the
 * API takes `start`/`end` as those local days (both included), so "the last 7 days" ends today *there*.
 */

export const PRESETS = [7, 30, 90] as const
export type Preset = (typeof PRESETS)[number]
/** The longest range the API answers. */
export const MAX_DAYS = 366

export interface DateRange {
  start: string
  end: string
}

/** What the range picker holds: a preset (moves with the days) or fixed days. */
export type RangeChoice = { preset: Preset } | ({ preset: 'custom' } & DateRange)

const DAY_MS = 86_400_000

/** Today's date (yyyy-mm-dd) in an IANA time zone; UTC when the zone is unknown. */
export function todayIn(timezone: string | null | undefined, now: Date = new Date()): string {
  try {
    // en-CA writes dates as yyyy-mm-dd.
    return new Intl.DateTimeFormat('en-CA', { timeZone: timezone || 'UTC' }).format(now)
  } catch {
    return now.toISOString().slice(0, 10)
  }
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10)
}

/** Days from `start` to `end`, both included. */
export function dayCount({ start, end }: DateRange): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS) + 1
}

/** The last `days` local days of the profile, today included. */
export function presetRange(days: Preset, timezone: string | null | undefined, now?: Date): DateRange {
  const end = todayIn(timezone, now)
  return { start: addDays(end, 1 - days), end }
}

export function isPreset(value: string | null): value is `${Preset}` {
  return PRESETS.some((p) => String(p) === value)
}

const DAY = /^\d{4}-\d{2}-\d{2}$/

/** Why a custom range cannot be asked for, or null when it can. */
export function rangeProblem(range: DateRange): string | null {
  if (!DAY.test(range.start) || !DAY.test(range.end)) return 'Pick both days.'
  if (range.start > range.end) return 'The first day comes after the last one.'
  if (dayCount(range) > MAX_DAYS) return `A range spans at most ${MAX_DAYS} days.`
  return null
}

/** "Mar 1 – Mar 30, 2026" for the range a figure covers. */
export function formatRange({ start, end }: DateRange): string {
  const fmt = (day: string, year: boolean) =>
    new Date(`${day}T00:00:00Z`).toLocaleDateString(undefined, {
      month: 'short',
      day: 'numeric',
      year: year ? 'numeric' : undefined,
      timeZone: 'UTC',
    })
  const sameYear = start.slice(0, 4) === end.slice(0, 4)
  return start === end ? fmt(start, true) : `${fmt(start, !sameYear)} – ${fmt(end, true)}`
}
