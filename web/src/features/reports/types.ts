/**
 * The Reports API's shapes, written from the contract (plan 16) until the typed client is regenerated,
 * under the API's own schema names (`app/reports/schemas.py`: ReportOut, ReportsPage, ReportKindOut,
 * StoredDocumentOut, ScheduleOut, ReportCreate, ScheduleCreate; the rows API's RowsPage). At merge each
 * becomes `components['schemas'][<same name>]` from `@/client`; nothing else in the feature declares
 * API shapes, so this is the only file to change.
 */

/** Ours: pending (not yet at Amazon), processing (IN_QUEUE/IN_PROGRESS), then one of the final ones. */
export type ReportStatus = 'pending' | 'processing' | 'done' | 'cancelled' | 'fatal' | 'error'

export type ReportVia = 'report' | 'datakiosk'

export type ReportSource = 'user' | 'schedule' | 'settlement'

export type ScheduleEvery = 'day' | 'week' | 'month'

export interface StoredDocumentOut {
  file_name: string
  content_type: string
  size_bytes: number
  sha256: string
}

export interface ReportOut {
  id: string
  connection_id: string
  report_type: string
  title: string
  marketplace_ids: string[]
  data_start: string | null
  data_end: string | null
  options: Record<string, string>
  status: ReportStatus
  /** Amazon's processingStatus as last seen (IN_QUEUE, IN_PROGRESS, DONE, CANCELLED, FATAL), or null. */
  processing_status: string | null
  via: ReportVia
  source: ReportSource
  amazon_id: string | null
  /** A sentence for the user, or null. */
  error: string | null
  /** Amazon's FATAL error document (text, truncated to 10 kB), or null. */
  error_document: string | null
  document: StoredDocumentOut | null
  rows_loaded: number | null
  schedule_id: string | null
  created_at: string
  updated_at: string
  finished_at: string | null
}

/** `GET /api/reports` */
export interface ReportsPage {
  reports: ReportOut[]
  next_cursor: string | null
}

/** One entry of `GET /api/reports/catalogue`. */
export interface ReportKindOut {
  report_type: string
  title: string
  description: string
  requestable: boolean
  needs_dates: boolean
  max_range_days: number | null
  max_age_days: number | null
  single_marketplace: boolean
  datakiosk_dataset: string | null
  tables: string[]
  has_rows: boolean
}

/** `POST /api/reports/create` (camelCase, the customer's names). */
export interface ReportCreate {
  connectionId: string
  reportType: string
  marketplaceIds: string[]
  dataStartTime?: string
  dataEndTime?: string
  reportOptions?: Record<string, string>
}

export interface ScheduleOut {
  id: string
  connection_id: string
  report_type: string
  marketplace_ids: string[]
  every: ScheduleEvery
  range_days: number | null
  next_run_at: string
  last_report_id: string | null
  created_at: string
}

/** `POST /api/reports/schedules` */
export interface ScheduleCreate {
  connectionId: string
  reportType: string
  marketplaceIds: string[]
  every: ScheduleEvery
  rangeDays?: number
}

export type RowColumnType = 'text' | 'number' | 'money' | 'date' | 'datetime' | 'percent'

export interface RowColumn {
  key: string
  label: string
  type: RowColumnType
}

export type RowValue = string | number | boolean | null

/** `GET /api/reports/data/{report_type}` */
export interface RowsPage {
  report_type: string
  table: string
  columns: RowColumn[]
  rows: Record<string, RowValue>[]
  next_cursor: string | null
}
