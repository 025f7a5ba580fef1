/**
 * TEMPORARY: the Feeds API's shapes as /work/plan17/CONTRACT.md ("HTTP API") writes them, until the core
 * branch's endpoints land on main and `make generate-client` puts them in the generated client. Then this
 * module re-exports `components['schemas'][...]` like the reports feature does, and nothing else changes.
 */

export type FeedStatus =
  | 'draft'
  | 'pending'
  | 'uploaded'
  | 'submitting'
  | 'processing'
  | 'done'
  | 'cancelled'
  | 'fatal'
  | 'error'

export type FeedSource = 'bulk' | 'raw'

export interface FeedSummary {
  errors: number
  warnings: number
  messages_processed: number
  messages_accepted: number
  messages_invalid: number
}

export interface FeedOut {
  id: string
  connection_id: string
  feed_type: string
  marketplace_ids: string[]
  source: FeedSource
  status: FeedStatus
  processing_status: string | null
  amazon_feed_id: string | null
  content_type: string | null
  message_count: number | null
  summary: FeedSummary | null
  error: string | null
  input_size_bytes: number | null
  has_report: boolean
  created_at: string
  updated_at: string
  finished_at: string | null
}

export interface FeedsPage {
  items: FeedOut[]
  next_cursor: string | null
}

export interface FeedDocumentOut {
  feed_id: string
  upload_url: string
  content_type: string
  max_bytes: number
}

export interface FeedIssueOut {
  line: number | null
  sku: string | null
  field: string | null
  message: string
}

/** Requests are written in the API's camelCase names, like the generated client shows them. */
export interface BulkRowIn {
  line: number
  sku: string
  price: string
  currency: string
  quantity: string
  handlingTime: string
}

/** A row as the API answers it (snake_case, like every answer). */
export interface BulkRowOut {
  line: number
  sku: string
  price: string
  currency: string
  quantity: string
  handling_time: string
}

export interface BulkRowsOut {
  rows: BulkRowOut[]
  issues: FeedIssueOut[]
}

export interface BulkFeedIn {
  connectionId: string
  marketplaceId: string
  rows: BulkRowIn[]
}

export interface BulkCheckOut {
  issues: FeedIssueOut[]
  message_count: number
  schema_checked: boolean
}

export interface FeedDocumentCreate {
  connectionId: string
  contentType: string
}

export interface FeedCreate {
  inputFeedDocumentId: string
  feedType: string
  marketplaceIds: string[]
  feedOptions?: Record<string, string> | null
}

export type FeedResultStatus = 'accepted' | 'warning' | 'error'

export interface FeedResultIssue {
  code: string
  severity: string
  message: string
  attribute_names?: string[]
}

export interface FeedResultOut {
  message_id: number
  sku: string | null
  status: FeedResultStatus
  issues: FeedResultIssue[]
}

export interface FeedResultCounts {
  accepted: number
  warning: number
  error: number
}

export interface FeedResultsPage {
  items: FeedResultOut[]
  next_cursor: string | null
  counts: FeedResultCounts
}
