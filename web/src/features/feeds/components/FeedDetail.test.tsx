import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { routes } from '@/routes/index'
import { COUNTS, feed, feedHandlers, RESULTS } from '@/test/feeds'
import { json, mockFetch, renderRoutes } from '@/test/utils'

const PATH = '/dashboard/tenants/t1/feeds?feed=f1'

function statusCalls(calls: Request[]) {
  return calls.filter((r) => new URL(r.url).pathname === '/api/feeds/f1/status').length
}

function steps() {
  return Object.fromEntries(
    within(screen.getByTestId('feed-progress'))
      .getAllByRole('listitem')
      .map((li) => [li.getAttribute('data-step'), li.getAttribute('data-state')]),
  )
}

describe('a feed: status and results', () => {
  it('follows the feed every 2 s through the queue to done, then shows its results and stops', { timeout: 20_000 }, async () => {
    const answers = [
      feed({ status: 'pending', processing_status: null, amazon_feed_id: null, summary: null, has_report: false, finished_at: null }),
      feed({ status: 'processing', processing_status: 'IN_QUEUE', summary: null, has_report: false, finished_at: null }),
      feed({ status: 'processing', processing_status: 'IN_PROGRESS', summary: null, has_report: false, finished_at: null }),
      feed(),
    ]
    let served = 0
    const { calls } = mockFetch({
      ...feedHandlers(),
      'GET /api/feeds/f1/status': () => json(200, answers[Math.min(served++, answers.length - 1)]),
    })
    renderRoutes(routes, PATH)
    const detail = await screen.findByTestId('feed-detail')
    await waitFor(() => expect(detail).toHaveAttribute('data-status', 'pending'))
    expect(steps()).toMatchObject({ pending: 'current', uploaded: 'todo', DONE: 'todo' })
    expect(within(detail).getByTestId('feed-progress-label')).toHaveTextContent('Stored; sending the file to Amazon')
    expect(within(detail).queryByTestId('feed-results')).not.toBeInTheDocument()

    await waitFor(() => expect(within(detail).getByTestId('feed-progress-label')).toHaveTextContent("Waiting in Amazon's queue (IN_QUEUE)"), { timeout: 4_000 })
    expect(steps()).toMatchObject({ pending: 'done', uploaded: 'done', submitting: 'done', IN_QUEUE: 'current', IN_PROGRESS: 'todo' })
    await waitFor(() => expect(within(detail).getByTestId('feed-progress-label')).toHaveTextContent('Amazon is processing the feed (IN_PROGRESS)'), { timeout: 4_000 })
    expect(steps()).toMatchObject({ IN_QUEUE: 'done', IN_PROGRESS: 'current', DONE: 'todo' })
    await waitFor(() => expect(detail).toHaveAttribute('data-status', 'done'), { timeout: 4_000 })
    expect(steps()).toMatchObject({ IN_PROGRESS: 'done', DONE: 'done' })
    expect(within(detail).getByTestId('feed-detail-status')).toHaveTextContent('Done')

    // Amazon's summary, the files, and the per-SKU results with the errors first.
    const summary = within(detail).getByTestId('feed-summary')
    expect(within(summary).getByText('Accepted').nextSibling).toHaveTextContent('2')
    expect(within(summary).getByText('Errors').nextSibling).toHaveTextContent('1')
    expect(within(detail).getByRole('link', { name: /Input file/ })).toHaveAttribute('href', '/api/feeds/f1/input?tenant_id=t1')
    expect(within(detail).getByRole('link', { name: 'Processing report' })).toHaveAttribute('href', '/api/feeds/f1/report?tenant_id=t1')
    const rows = await within(detail).findAllByTestId('feed-result-row')
    expect(rows.map((r) => [r.getAttribute('data-sku'), r.getAttribute('data-status')])).toEqual([
      ['SKU-UNKNOWN', 'error'],
      ['SKU-2', 'accepted'],
      ['SKU-3', 'accepted'],
    ])
    expect(rows[0]).toHaveTextContent('8541 The SKU does not exist in this marketplace. (sku)')
    expect(within(detail).getByTestId('feed-result-counts')).toHaveTextContent('2 accepted · 0 with warnings · 1 with errors')

    const count = statusCalls(calls)
    await new Promise((resolve) => setTimeout(resolve, 2_500))
    expect(statusCalls(calls)).toBe(count)
  })

  it('shows only the errors when asked, and pages with the cursor', async () => {
    const page2 = [{ message_id: 4, sku: 'SKU-4', status: 'accepted', issues: [] }]
    const { calls } = mockFetch({
      ...feedHandlers(),
      'GET /api/feeds/f1/results': (request: Request) => {
        const params = new URL(request.url).searchParams
        if (params.get('errors_only') === 'true') return json(200, { items: RESULTS.slice(0, 1), next_cursor: null, counts: COUNTS })
        return params.get('cursor') === 'res-2'
          ? json(200, { items: page2, next_cursor: null, counts: { ...COUNTS, accepted: 3 } })
          : json(200, { items: RESULTS, next_cursor: 'res-2', counts: { ...COUNTS, accepted: 3 } })
      },
    })
    renderRoutes(routes, PATH)
    const results = await screen.findByTestId('feed-results')
    expect(await within(results).findAllByTestId('feed-result-row')).toHaveLength(3)
    expect(within(results).getByTestId('feed-results-range')).toHaveTextContent('1–3 of 4')
    const first = calls.find((r) => new URL(r.url).pathname === '/api/feeds/f1/results')!
    expect(Object.fromEntries(new URL(first.url).searchParams)).toEqual({ tenant_id: 't1', limit: '50' })

    await userEvent.click(within(results).getByRole('button', { name: 'Next' }))
    await waitFor(() => expect(within(results).getAllByTestId('feed-result-row').map((r) => r.getAttribute('data-sku'))).toEqual(['SKU-4']))
    expect(within(results).getByRole('button', { name: 'Next' })).toBeDisabled()
    await userEvent.click(within(results).getByRole('button', { name: 'Previous' }))
    await waitFor(() => expect(within(results).getAllByTestId('feed-result-row')).toHaveLength(3))

    await userEvent.click(within(results).getByRole('checkbox', { name: 'Errors only' }))
    await waitFor(() => expect(within(results).getAllByTestId('feed-result-row').map((r) => r.getAttribute('data-status'))).toEqual(['error']))
    expect(within(results).getByTestId('feed-results-range')).toHaveTextContent('1–1 of 1')
  })

  it('says why a feed failed and shows no results without a report', async () => {
    mockFetch({
      ...feedHandlers(),
      'GET /api/feeds/f1/status': () =>
        json(200, feed({ status: 'error', processing_status: null, summary: null, has_report: false, error: 'Amazon kept answering 503: tried 5 times.' })),
    })
    renderRoutes(routes, PATH)
    expect(await screen.findByTestId('feed-error')).toHaveTextContent('Amazon kept answering 503: tried 5 times.')
    expect(screen.queryByTestId('feed-results')).not.toBeInTheDocument()
    expect(screen.queryByRole('link', { name: 'Processing report' })).not.toBeInTheDocument()
    expect(steps()).toMatchObject({ DONE: 'todo' })
  })
})
