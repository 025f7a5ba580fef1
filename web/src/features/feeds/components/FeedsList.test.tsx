import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { routes } from '@/routes/index'
import { feed, feedHandlers } from '@/test/feeds'
import { json, mockFetch, renderRoutes } from '@/test/utils'

const PATH = '/dashboard/tenants/t1/feeds'

describe('the list of feeds', () => {
  it('loads more with the cursor, and opens the feed picked', async () => {
    const { calls } = mockFetch({
      ...feedHandlers(),
      'GET /api/feeds': (request: Request) =>
        new URL(request.url).searchParams.get('cursor') === 'next-1'
          ? json(200, { items: [feed({ id: 'f2', source: 'raw', feed_type: 'POST_FLAT_FILE_INVLOADER_DATA', status: 'fatal' })], next_cursor: null })
          : json(200, { items: [feed()], next_cursor: 'next-1' }),
      'GET /api/feeds/f2/status': () => json(200, feed({ id: 'f2', status: 'fatal', summary: null, has_report: false, error: null })),
    })
    const { router } = renderRoutes(routes, PATH)
    expect(await screen.findAllByTestId('feed-row')).toHaveLength(1)
    const first = calls.find((r) => new URL(r.url).pathname === '/api/feeds')!
    expect(Object.fromEntries(new URL(first.url).searchParams)).toEqual({ tenant_id: 't1', limit: '20' })
    await userEvent.click(screen.getByRole('button', { name: 'Load more feeds' }))
    await waitFor(() => expect(screen.getAllByTestId('feed-row')).toHaveLength(2))
    expect(screen.queryByRole('button', { name: 'Load more feeds' })).not.toBeInTheDocument()
    const second = screen.getAllByTestId('feed-row')[1]!
    expect(second).toHaveTextContent('POST_FLAT_FILE_INVLOADER_DATA')
    expect(within(second).getByTestId('feed-status')).toHaveTextContent('Failed at Amazon')

    expect(screen.queryByTestId('feed-detail')).not.toBeInTheDocument()
    await userEvent.click(within(second).getByRole('button'))
    expect(await screen.findByTestId('feed-detail')).toHaveAttribute('data-feed-id', 'f2')
    expect(router.state.location.search).toBe('?feed=f2')
    expect(within(second).getByRole('button')).toHaveAttribute('aria-current', 'true')
    expect(await screen.findByTestId('feed-error')).toHaveTextContent('Amazon could not process the feed.')
    await userEvent.click(screen.getByRole('button', { name: 'Close the feed' }))
    expect(screen.queryByTestId('feed-detail')).not.toBeInTheDocument()
  })

  it('refreshes every 2 s while a feed is on its way', { timeout: 10_000 }, async () => {
    let served = 0
    const { calls } = mockFetch({
      ...feedHandlers(),
      'GET /api/feeds': () => {
        served += 1
        return json(200, { items: [served < 2 ? feed({ status: 'submitting', summary: null }) : feed()], next_cursor: null })
      },
    })
    renderRoutes(routes, PATH)
    const row = await screen.findByTestId('feed-row')
    expect(row).toHaveAttribute('data-status', 'submitting')
    expect(row).toHaveTextContent('Creating the feed at Amazon')
    await waitFor(() => expect(screen.getByTestId('feed-row')).toHaveAttribute('data-status', 'done'), { timeout: 4_000 })
    const count = calls.filter((r) => new URL(r.url).pathname === '/api/feeds').length
    await new Promise((resolve) => setTimeout(resolve, 2_500))
    expect(calls.filter((r) => new URL(r.url).pathname === '/api/feeds').length).toBe(count)
  })

  it('shows the empty state', async () => {
    mockFetch({ ...feedHandlers(), 'GET /api/feeds': () => json(200, { items: [], next_cursor: null }) })
    renderRoutes(routes, PATH)
    expect(await screen.findByText('No feeds submitted')).toBeInTheDocument()
  })
})
