/** Fixtures for the Feeds page tests: the API's answers as the contract (plan 17) shapes them. */
import type { BulkRowOut, FeedIssueOut, FeedOut, FeedResultOut } from '@/features/feeds/types'
import { MARKETPLACES, ME, SELLER, TENANT } from './reports'
import { json } from './utils'

export function feed(patch: Partial<FeedOut> = {}): FeedOut {
  return {
    id: 'f1',
    connection_id: 'c1',
    feed_type: 'JSON_LISTINGS_FEED',
    marketplace_ids: ['ATVPDKIKX0DER'],
    source: 'bulk',
    status: 'done',
    processing_status: 'DONE',
    amazon_feed_id: '50014019999',
    content_type: 'application/json; charset=UTF-8',
    message_count: 3,
    summary: { errors: 1, warnings: 0, messages_processed: 3, messages_accepted: 2, messages_invalid: 1 },
    error: null,
    input_size_bytes: 2048,
    has_report: true,
    created_at: '2026-12-06T09:00:00Z',
    updated_at: '2026-12-06T09:02:00Z',
    finished_at: '2026-12-06T09:02:00Z',
    ...patch,
  }
}

/** A row as the CSV route answers it. */
export function row(line: number, patch: Partial<BulkRowOut> = {}): BulkRowOut {
  return { line, sku: `SKU-${line}`, price: '19.99', currency: 'USD', quantity: '5', handling_time: '', ...patch }
}

export function issue(line: number, field: string | null, message: string, sku: string | null = null): FeedIssueOut {
  return { line, sku, field, message }
}

export const RESULTS: FeedResultOut[] = [
  {
    message_id: 3,
    sku: 'SKU-UNKNOWN',
    status: 'error',
    issues: [{ code: '8541', severity: 'ERROR', message: 'The SKU does not exist in this marketplace.', attribute_names: ['sku'] }],
  },
  { message_id: 1, sku: 'SKU-2', status: 'accepted', issues: [] },
  { message_id: 2, sku: 'SKU-3', status: 'accepted', issues: [] },
]

export const COUNTS = { accepted: 2, warning: 0, error: 1 }

/** The page's calls, answered with one done feed and its results. */
export function feedHandlers(role = 'owner') {
  return {
    'GET /api/auth/me': () => json(200, ME),
    'GET /api/tenants/t1': () => json(200, { ...TENANT, role }),
    'GET /api/marketplaces': () => json(200, MARKETPLACES),
    'GET /api/tenants/t1/connections': () => json(200, [SELLER]),
    'GET /api/feeds': () => json(200, { items: [feed()], next_cursor: null }),
    'GET /api/feeds/f1/status': () => json(200, feed()),
    'GET /api/feeds/f1/results': (request: Request) => {
      const errorsOnly = new URL(request.url).searchParams.get('errors_only') === 'true'
      const items = errorsOnly ? RESULTS.filter((r) => r.status === 'error') : RESULTS
      return json(200, { items, next_cursor: null, counts: COUNTS })
    },
  }
}
