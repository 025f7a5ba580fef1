import type { FeedOut, FeedResultStatus, FeedStatus } from './types'

const STATUS_LABELS: Record<FeedStatus, string> = {
  draft: 'Waiting for its file',
  pending: 'Sending to Amazon',
  uploaded: 'Uploaded',
  submitting: 'Submitting',
  processing: 'Processing',
  done: 'Done',
  cancelled: 'Cancelled',
  fatal: 'Failed at Amazon',
  error: 'Error',
}

export function statusLabel(status: FeedStatus): string {
  return STATUS_LABELS[status]
}

export const STATUS_VARIANT: Record<FeedStatus, 'default' | 'secondary' | 'destructive' | 'outline'> = {
  draft: 'outline',
  pending: 'secondary',
  uploaded: 'secondary',
  submitting: 'secondary',
  processing: 'secondary',
  done: 'default',
  cancelled: 'outline',
  fatal: 'destructive',
  error: 'destructive',
}

export const RESULT_LABELS: Record<FeedResultStatus, string> = {
  accepted: 'Accepted',
  warning: 'Warning',
  error: 'Error',
}

/** The feed's way, in order; Amazon gives no percentage, so each step is a share of the bar. */
export const STEPS = [
  { key: 'pending', label: 'Stored' },
  { key: 'uploaded', label: 'Uploaded to Amazon' },
  { key: 'submitting', label: 'Feed created' },
  { key: 'IN_QUEUE', label: 'In queue' },
  { key: 'IN_PROGRESS', label: 'In progress' },
  { key: 'DONE', label: 'Done' },
] as const

export type StepState = 'done' | 'current' | 'todo'

/** Which step the feed is at: the index in STEPS (the last one once it is final). */
export function stepIndex(feed: Pick<FeedOut, 'status' | 'processing_status'>): number {
  switch (feed.status) {
    case 'draft':
      return -1
    case 'pending':
      return 0
    case 'uploaded':
      return 1
    case 'submitting':
      return 2
    case 'processing':
      return feed.processing_status === 'IN_PROGRESS' ? 4 : 3
    default:
      return STEPS.length - 1
  }
}

export function stepStates(feed: Pick<FeedOut, 'status' | 'processing_status'>): StepState[] {
  const at = stepIndex(feed)
  const final = at === STEPS.length - 1
  return STEPS.map((_, i) => (i < at || (final && i === at) ? 'done' : i === at ? 'current' : 'todo'))
}

/** A sentence for where the feed stands, and the bar's value. */
export function progressOf(feed: Pick<FeedOut, 'status' | 'processing_status'>): { label: string; value: number } {
  const at = stepIndex(feed)
  const value = at < 0 ? 0 : Math.round(((at + 1) / STEPS.length) * 100)
  switch (feed.status) {
    case 'draft':
      return { label: 'Waiting for the file to be uploaded', value }
    case 'pending':
      return { label: 'Stored; sending the file to Amazon', value }
    case 'uploaded':
      return { label: 'Uploaded to Amazon; creating the feed', value }
    case 'submitting':
      return { label: 'Creating the feed at Amazon', value }
    case 'processing':
      return feed.processing_status === 'IN_PROGRESS'
        ? { label: 'Amazon is processing the feed', value }
        : { label: "Waiting in Amazon's queue", value }
    default:
      return { label: statusLabel(feed.status), value: 100 }
  }
}

/** "JSON_LISTINGS_FEED" as people say it. */
export function feedTitle(feed: Pick<FeedOut, 'feed_type' | 'source'>): string {
  if (feed.source === 'bulk') return 'Bulk price & quantity update'
  // A raw draft has no type yet: createFeed names it.
  if (!feed.feed_type) return 'Feed file'
  return feed.feed_type === 'JSON_LISTINGS_FEED' ? 'Listings feed (JSON)' : feed.feed_type
}

/** The content types a feed document is usually declared with. */
export const CONTENT_TYPES = [
  'application/json; charset=UTF-8',
  'text/tab-separated-values; charset=UTF-8',
  'text/xml; charset=UTF-8',
  'text/plain; charset=UTF-8',
]

/** The feed type the raw path proposes first: the one Amazon accepts listings changes in. */
export const DEFAULT_FEED_TYPE = 'JSON_LISTINGS_FEED'

/** What an issue is about: "Line 12 · price", or the SKU when the line is unknown. */
export function issueWhere(issue: { line: number | null; sku: string | null; field: string | null }): string {
  const parts: string[] = []
  if (issue.line !== null) parts.push(`Line ${issue.line}`)
  if (issue.sku) parts.push(`SKU ${issue.sku}`)
  if (issue.field) parts.push(issue.field)
  return parts.join(' · ') || 'The file'
}

/** "1 error", "2 errors", "1,000 messages". */
export function count(n: number, noun: string): string {
  return `${n.toLocaleString()} ${noun}${n === 1 ? '' : 's'}`
}

/** The API's sentence without a leading "Line 3, column price: " (the page already says where). */
export function bareMessage(issue: { message: string }): string {
  const bare = issue.message.replace(/^line \d+(?:, column [^:]+)?: /i, '')
  return bare === issue.message ? bare : bare.charAt(0).toUpperCase() + bare.slice(1)
}
