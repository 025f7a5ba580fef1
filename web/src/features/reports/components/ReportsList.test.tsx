import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { routes } from '@/routes/index'
import { report, reportHandlers } from '@/test/reports'
import { json, mockFetch, renderRoutes } from '@/test/utils'

const PATH = '/dashboard/tenants/t1/reports'

function listCalls(calls: Request[]) {
  return calls.filter((r) => new URL(r.url).pathname === '/api/reports').length
}

describe('reports list', () => {
  it('polls every 2 s while Amazon works, shows the progress, and stops once done', { timeout: 15_000 }, async () => {
    let served = 0
    const { calls } = mockFetch({
      ...reportHandlers(),
      'GET /api/reports': () => {
        served += 1
        if (served === 1) {
          return json(200, { reports: [report({ status: 'processing', processing_status: 'IN_QUEUE', document: null, rows_loaded: null, via: 'datakiosk' })], next_cursor: null })
        }
        if (served === 2) {
          return json(200, { reports: [report({ status: 'processing', processing_status: 'IN_PROGRESS', document: null, rows_loaded: null, via: 'datakiosk' })], next_cursor: null })
        }
        return json(200, { reports: [report({ via: 'datakiosk' })], next_cursor: null })
      },
    })
    renderRoutes(routes, PATH)
    const row = await screen.findByTestId('report-row')
    expect(row).toHaveAttribute('data-status', 'processing')
    expect(within(row).getByTestId('report-via')).toHaveTextContent('via Data Kiosk')
    expect(within(row).getByRole('progressbar', { name: 'Progress of Sales and traffic' })).toBeInTheDocument()
    expect(within(row).getByTestId('report-progress')).toHaveTextContent("Waiting in Data Kiosk's queue (IN_QUEUE)")
    expect(screen.getByText(/refreshes every 2 seconds/)).toBeInTheDocument()

    await waitFor(() => expect(screen.getByTestId('report-progress')).toHaveTextContent('Data Kiosk is preparing the report'), { timeout: 4_000 })
    const rowsCalls = () => calls.filter((r) => new URL(r.url).pathname.startsWith('/api/reports/data/')).length
    const rowsBefore = rowsCalls()
    await waitFor(() => expect(screen.getByTestId('report-row')).toHaveAttribute('data-status', 'done'), { timeout: 4_000 })
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument()
    // The finished report's rows are read again.
    await waitFor(() => expect(rowsCalls()).toBeGreaterThan(rowsBefore))

    const count = listCalls(calls)
    await new Promise((resolve) => setTimeout(resolve, 2_500))
    expect(listCalls(calls)).toBe(count)
  })

  it('links the stored document for download with its name and size', async () => {
    mockFetch(reportHandlers())
    renderRoutes(routes, PATH)
    const row = await screen.findByTestId('report-row')
    expect(row).toHaveAttribute('data-status', 'done')
    expect(within(row).getByTestId('report-via')).toHaveTextContent('via Reports API')
    const link = within(row).getByRole('link', { name: 'Download document' })
    expect(link).toHaveAttribute('href', '/api/reports/r1/document?tenant_id=t1')
    expect(link).toHaveAttribute('download', 'GET_SALES_AND_TRAFFIC_REPORT_50001019999.json')
    expect(within(row).getByTestId('report-file')).toHaveTextContent('GET_SALES_AND_TRAFFIC_REPORT_50001019999.json · 1.5 KB')
    expect(within(row).getByTestId('report-rows-loaded')).toHaveTextContent('7 rows loaded')
  })

  it('explains cancelled and fatal reports and shows Amazon’s error document', async () => {
    mockFetch({
      ...reportHandlers(),
      'GET /api/reports': () =>
        json(200, {
          reports: [
            report({ id: 'r2', status: 'fatal', processing_status: 'FATAL', document: null, rows_loaded: null, error: 'Amazon could not produce this report.', error_document: '{"errorDetails":"Report date range too large"}' }),
            report({ id: 'r3', status: 'cancelled', processing_status: 'CANCELLED', document: null, rows_loaded: null, error: 'Amazon had no data for this period.' }),
          ],
          next_cursor: null,
        }),
    })
    renderRoutes(routes, PATH)
    const rows = await screen.findAllByTestId('report-row')
    expect(rows.map((r) => r.getAttribute('data-status'))).toEqual(['fatal', 'cancelled'])
    expect(within(rows[0]!).getByTestId('report-error')).toHaveTextContent('Amazon could not produce this report.')
    expect(within(rows[1]!).getByTestId('report-error')).toHaveTextContent('Amazon had no data for this period.')
    expect(within(rows[1]!).queryByText(/error document/)).not.toBeInTheDocument()
    expect(within(rows[0]!).queryByRole('link', { name: 'Download document' })).not.toBeInTheDocument()
    await userEvent.click(within(rows[0]!).getByText("Show Amazon's error document"))
    expect(within(rows[0]!).getByTestId('report-error-document')).toBeVisible()
    expect(within(rows[0]!).getByTestId('report-error-document')).toHaveTextContent('Report date range too large')
  })

  it('loads more with the cursor', async () => {
    const { calls } = mockFetch({
      ...reportHandlers(),
      'GET /api/reports': (request: Request) =>
        new URL(request.url).searchParams.get('cursor') === 'next-1'
          ? json(200, { reports: [report({ id: 'r9', title: 'All listings', report_type: 'GET_MERCHANT_LISTINGS_ALL_DATA' })], next_cursor: null })
          : json(200, { reports: [report()], next_cursor: 'next-1' }),
    })
    renderRoutes(routes, PATH)
    expect(await screen.findAllByTestId('report-row')).toHaveLength(1)
    await userEvent.click(screen.getByRole('button', { name: 'Load more reports' }))
    await waitFor(() => expect(screen.getAllByTestId('report-row')).toHaveLength(2))
    expect(screen.queryByRole('button', { name: 'Load more reports' })).not.toBeInTheDocument()
    const first = calls.find((r) => new URL(r.url).pathname === '/api/reports')!
    expect(Object.fromEntries(new URL(first.url).searchParams)).toEqual({ tenant_id: 't1', limit: '20' })
  })

  it('shows the empty state', async () => {
    mockFetch({ ...reportHandlers(), 'GET /api/reports': () => json(200, { reports: [], next_cursor: null }) })
    renderRoutes(routes, PATH)
    expect(await screen.findByText('No reports requested')).toBeInTheDocument()
  })
})
