/** Fixtures for the Reports page tests: the API's answers as the contract (plan 16) shapes them. */
import type { ReportKindOut, ReportOut, RowsPage, ScheduleOut } from '@/features/reports/types'
import { json } from './utils'

export const ME = { id: 'u1', email: 'ada@example.com', name: 'Ada', email_verified: true }
export const TENANT = { id: 't1', name: 'Acme Agency', slug: 'acme', role: 'owner', created_at: '2026-11-28T10:00:00Z' }
export const MARKETPLACES = [
  { id: 'ATVPDKIKX0DER', country_code: 'US', name: 'United States', region: 'NA' },
  { id: 'A2EUQ1WTGCTBG2', country_code: 'CA', name: 'Canada', region: 'NA' },
]
export const SELLER = {
  id: 'c1',
  provider: 'amazon_sp',
  region: 'NA',
  account_id: 'A1DEMOSELLER0001',
  display_name: 'Demo Store',
  marketplaces: ['ATVPDKIKX0DER', 'A2EUQ1WTGCTBG2'],
  selected_marketplaces: ['ATVPDKIKX0DER'],
  status: 'active',
  connected_at: '2026-11-28T10:00:00Z',
  authorized_at: '2026-11-28T10:00:00Z',
  disconnected_at: null,
  last_error: null,
  parent_connection_id: null,
  profiles: [],
}

function kind(patch: Partial<ReportKindOut> & Pick<ReportKindOut, 'report_type' | 'title'>): ReportKindOut {
  return {
    description: `${patch.title}, as Amazon reports it.`,
    requestable: true,
    needs_dates: true,
    max_range_days: null,
    max_age_days: null,
    single_marketplace: true,
    datakiosk_dataset: null,
    tables: [],
    has_rows: true,
    ...patch,
  }
}

export const CATALOGUE: ReportKindOut[] = [
  kind({
    report_type: 'GET_SALES_AND_TRAFFIC_REPORT',
    title: 'Sales and traffic',
    max_range_days: 30,
    max_age_days: 730,
    datakiosk_dataset: 'analytics_salesAndTraffic_2024_04_24',
  }),
  kind({ report_type: 'GET_MERCHANT_LISTINGS_ALL_DATA', title: 'All listings', needs_dates: false }),
  kind({ report_type: 'GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2', title: 'Settlements', requestable: false, needs_dates: false }),
  kind({ report_type: 'GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL', title: 'Orders by order date', requestable: false, has_rows: false }),
]

export function report(patch: Partial<ReportOut> = {}): ReportOut {
  return {
    id: 'r1',
    connection_id: 'c1',
    report_type: 'GET_SALES_AND_TRAFFIC_REPORT',
    title: 'Sales and traffic',
    marketplace_ids: ['ATVPDKIKX0DER'],
    data_start: '2026-11-01T00:00:00Z',
    data_end: '2026-11-07T23:59:59Z',
    options: { dateGranularity: 'DAY', asinGranularity: 'CHILD' },
    status: 'done',
    processing_status: 'DONE',
    via: 'report',
    source: 'user',
    amazon_id: '50001019999',
    error: null,
    error_document: null,
    document: {
      file_name: 'GET_SALES_AND_TRAFFIC_REPORT_50001019999.json',
      content_type: 'application/json',
      size_bytes: 1536,
      sha256: 'ab'.repeat(32),
    },
    rows_loaded: 7,
    schedule_id: null,
    created_at: '2026-12-06T09:00:00Z',
    updated_at: '2026-12-06T09:02:00Z',
    finished_at: '2026-12-06T09:02:00Z',
    ...patch,
  }
}

export function schedule(patch: Partial<ScheduleOut> = {}): ScheduleOut {
  return {
    id: 's1',
    connection_id: 'c1',
    report_type: 'GET_SALES_AND_TRAFFIC_REPORT',
    marketplace_ids: ['ATVPDKIKX0DER'],
    every: 'week',
    range_days: 7,
    next_run_at: '2026-12-07T03:00:00Z',
    last_report_id: null,
    created_at: '2026-12-01T09:00:00Z',
    ...patch,
  }
}

export const BY_DATE: RowsPage = {
  report_type: 'GET_SALES_AND_TRAFFIC_REPORT',
  table: 'report_sales_traffic_by_date',
  columns: [
    { key: 'marketplace_id', label: 'Marketplace', type: 'text' },
    { key: 'granularity', label: 'Granularity', type: 'text' },
    { key: 'start_date', label: 'Date', type: 'date' },
    { key: 'currency', label: 'Currency', type: 'text' },
    { key: 'ordered_product_sales', label: 'Ordered product sales', type: 'money' },
    { key: 'ordered_product_sales_b2b', label: 'Ordered product sales (B2B)', type: 'money' },
    { key: 'units_ordered', label: 'Units ordered', type: 'number' },
    { key: 'unit_session_percentage', label: 'Unit session percentage', type: 'percent' },
  ],
  rows: [
    { marketplace_id: 'ATVPDKIKX0DER', granularity: 'DAY', start_date: '2026-11-02', currency: 'USD', ordered_product_sales: '120.50', ordered_product_sales_b2b: null, units_ordered: 5, unit_session_percentage: 12.5 },
    { marketplace_id: 'ATVPDKIKX0DER', granularity: 'DAY', start_date: '2026-11-01', currency: 'USD', ordered_product_sales: '80.00', ordered_product_sales_b2b: '5.00', units_ordered: 3, unit_session_percentage: 10 },
  ],
  next_cursor: 'rows-2',
}

export const BY_DATE_2: RowsPage = {
  ...BY_DATE,
  rows: [{ marketplace_id: 'ATVPDKIKX0DER', granularity: 'DAY', start_date: '2026-10-31', currency: 'USD', ordered_product_sales: '40.00', ordered_product_sales_b2b: null, units_ordered: 2, unit_session_percentage: 8 }],
  next_cursor: null,
}

export const BY_ASIN: RowsPage = {
  report_type: 'GET_SALES_AND_TRAFFIC_REPORT',
  table: 'report_sales_traffic_by_asin',
  columns: [
    { key: 'child_asin', label: 'Child ASIN', type: 'text' },
    { key: 'units_ordered', label: 'Units ordered', type: 'number' },
  ],
  rows: [{ child_asin: 'B000RED001', units_ordered: 4 }],
  next_cursor: null,
}

/** The page's calls, answered with a done report, one schedule and two pages of rows. */
export function reportHandlers(role = 'owner') {
  return {
    'GET /api/auth/me': () => json(200, ME),
    'GET /api/tenants/t1': () => json(200, { ...TENANT, role }),
    'GET /api/marketplaces': () => json(200, MARKETPLACES),
    'GET /api/tenants/t1/connections': () => json(200, [SELLER]),
    'GET /api/reports/catalogue': () => json(200, CATALOGUE),
    'GET /api/reports': () => json(200, { reports: [report()], next_cursor: null }),
    'GET /api/reports/schedules': () => json(200, [schedule()]),
    'GET /api/reports/data/GET_SALES_AND_TRAFFIC_REPORT': (request: Request) => {
      const params = new URL(request.url).searchParams
      if (params.get('view') === 'by_asin') return json(200, BY_ASIN)
      return json(200, params.get('cursor') === 'rows-2' ? BY_DATE_2 : BY_DATE)
    },
  }
}
