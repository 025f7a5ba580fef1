import type { ReportKindOut } from './types'

/** Days are yyyy-mm-dd strings in UTC, the way Amazon counts report days. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10)
}

export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`)
  date.setUTCDate(date.getUTCDate() + days)
  return date.toISOString().slice(0, 10)
}

/** Days from `from` to `to`, both included ("2026-03-01".."2026-03-01" is 1 day). */
export function daysInclusive(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1
}

/**
 * The earliest "From" the type accepts, or null when Amazon sets no age limit. The API counts the age
 * from now (dataStartTime >= now - max_age_days), so the day exactly max_age_days ago is already too old.
 */
export function earliestDay(kind: Pick<ReportKindOut, 'max_age_days'>, today: string): string | null {
  return kind.max_age_days ? addDays(today, 1 - kind.max_age_days) : null
}

/** The form's starting range: the last 7 whole days (yesterday included), shorter if the type allows less. */
export function defaultRange(kind: Pick<ReportKindOut, 'max_range_days'> | null, today: string): { from: string; to: string } {
  const days = Math.min(7, kind?.max_range_days ?? 7)
  return { from: addDays(today, -days), to: addDays(today, -1) }
}

export interface DateErrors {
  from?: string
  to?: string
}

type Limits = Pick<ReportKindOut, 'title' | 'needs_dates' | 'max_range_days' | 'max_age_days'>

/** The type's date limits, checked before the request leaves the browser (the API checks them again). */
export function validateDates(kind: Limits, from: string, to: string, today: string): DateErrors {
  if (!kind.needs_dates) return {}
  const errors: DateErrors = {}
  if (!from) errors.from = 'Pick the first day of the report.'
  if (!to) errors.to = 'Pick the last day of the report.'
  const earliest = earliestDay(kind, today)
  if (from && from > today) errors.from = 'The first day cannot be in the future.'
  else if (from && earliest && from < earliest) {
    errors.from = `Amazon keeps ${kind.title} for ${kind.max_age_days} days: pick ${earliest} or later.`
  }
  if (to && to > today) errors.to = 'The last day cannot be in the future.'
  else if (from && to && to < from) errors.to = 'The last day must be on or after the first day.'
  else if (from && to && kind.max_range_days && daysInclusive(from, to) > kind.max_range_days) {
    errors.to = `${kind.title} covers at most ${kind.max_range_days} days per request; this range has ${daysInclusive(from, to)}.`
  }
  return errors
}

/**
 * The request's dataStartTime/dataEndTime: whole UTC days, the last one up to its end, or up to now
 * (whole minutes) when it is today, since Amazon refuses an end in the future.
 */
export function dataTimes(from: string, to: string, now: Date = new Date()): { dataStartTime: string; dataEndTime: string } {
  const endOfDay = new Date(`${to}T23:59:59Z`)
  const nowMinute = new Date(Math.floor(now.getTime() / 60_000) * 60_000)
  const end = endOfDay.getTime() > nowMinute.getTime() ? nowMinute : endOfDay
  return {
    dataStartTime: `${from}T00:00:00Z`,
    dataEndTime: end.toISOString().replace('.000Z', 'Z'),
  }
}
