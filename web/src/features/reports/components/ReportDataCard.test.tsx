import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { routes } from '@/routes/index'
import { reportHandlers } from '@/test/reports'
import { apiError, json, mockFetch, renderRoutes } from '@/test/utils'

const PATH = '/dashboard/tenants/t1/reports'

function dataCalls(calls: Request[]) {
  return calls.filter((r) => new URL(r.url).pathname.startsWith('/api/reports/data/')).map((r) => new URL(r.url))
}

describe('report data', () => {
  it('shows the rows with the columns the API describes, formatted, and pages with the cursor', async () => {
    const { calls } = mockFetch(reportHandlers())
    renderRoutes(routes, PATH)
    const table = await screen.findByTestId('report-rows')
    expect(table).toHaveAccessibleName('Sales and traffic rows')
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual([
      'Marketplace',
      'Granularity',
      'Date',
      'Currency',
      'Ordered product sales',
      'Ordered product sales (B2B)',
      'Units ordered',
      'Unit session percentage',
    ])
    const rows = within(table).getAllByTestId('report-data-row')
    expect(rows).toHaveLength(2)
    expect(rows[0]).toHaveTextContent('$120.50')
    expect(rows[0]).toHaveTextContent('12.5 %')
    expect(rows[0]).toHaveTextContent('Nov 2, 2026')
    expect(rows[1]).toHaveTextContent('$5.00')
    const [first] = dataCalls(calls)
    expect(first!.pathname).toBe('/api/reports/data/GET_SALES_AND_TRAFFIC_REPORT')
    expect(Object.fromEntries(first!.searchParams)).toEqual({ tenant_id: 't1', limit: '50' })

    await userEvent.click(screen.getByRole('button', { name: 'Load more rows' }))
    await waitFor(() => expect(screen.getAllByTestId('report-data-row')).toHaveLength(3))
    expect(dataCalls(calls).at(-1)!.searchParams.get('cursor')).toBe('rows-2')
    expect(screen.queryByRole('button', { name: 'Load more rows' })).not.toBeInTheDocument()
    expect(screen.getByTestId('report-rows-count')).toHaveTextContent('3 rows shown')
  })

  it('draws sales and units by date, and switches to the by-ASIN rows', async () => {
    const { calls } = mockFetch(reportHandlers())
    renderRoutes(routes, PATH)
    const chart = await screen.findByRole('img', { name: /Ordered product sales and units ordered by day/ })
    expect(chart).toHaveAccessibleName('Ordered product sales and units ordered by day, Nov 1, 2026 to Nov 2, 2026')
    await userEvent.click(screen.getByRole('button', { name: 'By ASIN' }))
    expect(await screen.findByText('B000RED001')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'By ASIN' })).toHaveAttribute('aria-pressed', 'true')
    expect(screen.queryByRole('img', { name: /Ordered product sales/ })).not.toBeInTheDocument()
    expect(dataCalls(calls).at(-1)!.searchParams.get('view')).toBe('by_asin')
  })

  it('filters by connection and marketplace, lists only types with rows', async () => {
    const { calls } = mockFetch(reportHandlers())
    renderRoutes(routes, PATH)
    await screen.findByTestId('report-rows')
    const type = screen.getByLabelText('Data type')
    expect(within(type).getAllByRole('option').map((o) => o.textContent)).toEqual(['Sales and traffic', 'All listings', 'Settlements'])
    await userEvent.selectOptions(screen.getByLabelText('Data connection'), 'c1')
    await userEvent.selectOptions(screen.getByLabelText('Data marketplace'), 'A2EUQ1WTGCTBG2')
    await waitFor(() => expect(dataCalls(calls).at(-1)!.searchParams.get('marketplace_id')).toBe('A2EUQ1WTGCTBG2'))
    expect(dataCalls(calls).at(-1)!.searchParams.get('connection_id')).toBe('c1')
  })

  it('says when a type has no rows yet, and shows the API error of a type without rows', async () => {
    mockFetch({
      ...reportHandlers(),
      'GET /api/reports/data/GET_MERCHANT_LISTINGS_ALL_DATA': () =>
        json(200, { report_type: 'GET_MERCHANT_LISTINGS_ALL_DATA', table: 'report_listings', columns: [{ key: 'sku', label: 'SKU', type: 'text' }], rows: [], next_cursor: null }),
      'GET /api/reports/data/GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2': () =>
        apiError(404, 'not_found', 'Settlements rows are not available yet.'),
    })
    renderRoutes(routes, PATH)
    await screen.findByTestId('report-rows')
    await userEvent.selectOptions(screen.getByLabelText('Data type'), 'GET_MERCHANT_LISTINGS_ALL_DATA')
    expect(await screen.findByText('No All listings rows yet')).toBeInTheDocument()
    expect(screen.queryByRole('group', { name: 'Sales and traffic view' })).not.toBeInTheDocument()
    await userEvent.selectOptions(screen.getByLabelText('Data type'), 'GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2')
    expect(await screen.findByText('Settlements rows are not available yet.')).toBeInTheDocument()
  })
})
