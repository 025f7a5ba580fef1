import type { ReportOut, ReportStatus, ReportVia, RowColumn, RowValue, ScheduleEvery } from './types'

const STATUS_LABELS: Record<ReportStatus, string> = {
  pending: 'Pending',
  processing: 'Processing',
  done: 'Done',
  cancelled: 'Cancelled',
  fatal: 'Failed at Amazon',
  error: 'Error',
}

export function statusLabel(status: ReportStatus): string {
  return STATUS_LABELS[status]
}

export function viaLabel(via: ReportVia): string {
  return via === 'datakiosk' ? 'via Data Kiosk' : 'via Reports API'
}

export const EVERY_LABELS: Record<ScheduleEvery, string> = {
  day: 'Every day',
  week: 'Every week',
  month: 'Every month',
}

/**
 * Where a report stands while it is not finished, and a step for the progress bar (Amazon gives no
 * percentage: queued, in progress, then done and ours to download).
 */
export function progressOf(report: Pick<ReportOut, 'status' | 'processing_status' | 'via'>): {
  label: string
  value: number
} {
  const amazon = report.via === 'datakiosk' ? 'Data Kiosk' : 'Amazon'
  if (report.status === 'pending') return { label: `Sending the request to ${amazon}`, value: 10 }
  if (report.processing_status === 'IN_PROGRESS') return { label: `${amazon} is preparing the report`, value: 66 }
  // Amazon is done; the document waits for its download (getReportDocument's quota is shared with the
  // order backfill's reports) or is being loaded.
  if (report.processing_status === 'DONE') return { label: `Ready at ${amazon}; downloading the document`, value: 90 }
  return { label: `Waiting in ${amazon}'s queue`, value: 33 }
}

/** 1536 -> "1.5 KB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`
}

/** "2026-03-01" (or a date-time) as a date, read in UTC: a report day is Amazon's day, not the browser's. */
export function formatDay(value: string): string {
  const iso = value.length === 10 ? `${value}T00:00:00Z` : value
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return value
  return date.toLocaleDateString(undefined, { dateStyle: 'medium', timeZone: 'UTC' })
}

export function formatDateTime(value: string): string {
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) return value
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

export function formatPeriod(start: string | null, end: string | null): string {
  if (!start && !end) return 'Snapshot'
  return `${start ? formatDay(start) : '…'} – ${end ? formatDay(end) : '…'}`
}

/** The currency of a money cell: `<key>_currency`, else the row's `currency_code` or `currency`. */
function currencyOf(row: Record<string, RowValue>, key: string): string | null {
  for (const candidate of [`${key}_currency`, `${key}_currency_code`, 'currency_code', 'currency']) {
    const value = row[candidate]
    if (typeof value === 'string' && value) return value
  }
  return null
}

function asNumber(value: RowValue): number | null {
  if (value === null || value === '' || typeof value === 'boolean') return null
  const n = Number(value)
  return Number.isFinite(n) ? n : null
}

/**
 * One cell as the API describes its column. Percentages arrive as Amazon sends them (12.5 = 12.5 %),
 * money as a decimal string or number with the row's currency.
 */
export function formatCell(column: RowColumn, row: Record<string, RowValue>): string {
  const value = row[column.key]
  if (value === null || value === undefined || value === '') return '—'
  switch (column.type) {
    case 'money': {
      const n = asNumber(value)
      if (n === null) return String(value)
      const currency = currencyOf(row, column.key)
      if (!currency) return new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n)
      try {
        return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(n)
      } catch {
        return `${n.toFixed(2)} ${currency}`
      }
    }
    case 'percent': {
      const n = asNumber(value)
      return n === null ? String(value) : `${new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(n)} %`
    }
    case 'number': {
      const n = asNumber(value)
      return n === null ? String(value) : new Intl.NumberFormat().format(n)
    }
    case 'date':
      return formatDay(String(value))
    case 'datetime':
      return formatDateTime(String(value))
    default:
      return String(value)
  }
}

export function isNumeric(column: RowColumn): boolean {
  return column.type === 'money' || column.type === 'number' || column.type === 'percent'
}
