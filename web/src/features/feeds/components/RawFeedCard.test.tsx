import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { routes } from '@/routes/index'
import { feed, feedHandlers, issue } from '@/test/feeds'
import { json, mockFetch, renderRoutes } from '@/test/utils'

const PATH = '/dashboard/tenants/t1/feeds'
const FILE = new File(['{"header":{}}'], 'listings.json', { type: 'application/json' })
const DOCUMENT = { feed_id: 'f7', upload_url: '/api/feeds/f7/upload', content_type: 'application/json; charset=UTF-8', max_bytes: 1_000 }

function rawHandlers(create: () => Response) {
  return {
    ...feedHandlers(),
    'POST /api/feeds/createDocument': () => json(201, DOCUMENT),
    'PUT /api/feeds/f7/upload': () => json(200, feed({ id: 'f7', status: 'draft', source: 'raw' })),
    'POST /api/feeds/create': create,
    'GET /api/feeds/f7/status': () => json(200, feed({ id: 'f7', status: 'pending', source: 'raw', summary: null, has_report: false })),
  }
}

async function openForm() {
  await userEvent.click(await screen.findByText('Advanced: upload a feed file'))
  return screen.getByRole('form', { name: 'Upload a feed file' })
}

describe('feeds page: the raw upload', () => {
  it('creates the document, uploads with exactly the declared type, then creates the feed', async () => {
    const { calls } = mockFetch(rawHandlers(() => json(202, feed({ id: 'f7', status: 'pending', source: 'raw' }))))
    document.cookie = 'csrf_token=tok-2; path=/'
    const { router } = renderRoutes(routes, PATH)
    const form = await openForm()
    // The connection's first marketplace is proposed; another can be ticked.
    expect(within(form).getByRole('checkbox', { name: 'United States (US)' })).toBeChecked()
    await userEvent.click(within(form).getByRole('checkbox', { name: 'Canada (CA)' }))
    await userEvent.upload(within(form).getByLabelText('Feed file'), FILE)
    await userEvent.click(within(form).getByRole('button', { name: 'Upload and create feed' }))

    expect(await screen.findByTestId('feed-detail')).toHaveAttribute('data-feed-id', 'f7')
    expect(router.state.location.search).toBe('?feed=f7')
    const order = calls.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${new URL(r.url).pathname}`)
    expect(order).toEqual(['POST /api/feeds/createDocument', 'PUT /api/feeds/f7/upload', 'POST /api/feeds/create'])
    const [doc, put, create] = calls.filter((r) => r.method !== 'GET')
    expect(await doc!.json()).toEqual({ connectionId: 'c1', contentType: 'application/json; charset=UTF-8' })
    expect(put!.headers.get('Content-Type')).toBe('application/json; charset=UTF-8')
    expect(put!.headers.get('X-CSRF-Token')).toBe('tok-2')
    expect(new URL(put!.url).searchParams.get('tenant_id')).toBe('t1')
    expect(await create!.json()).toEqual({
      inputFeedDocumentId: 'f7',
      feedType: 'JSON_LISTINGS_FEED',
      marketplaceIds: ['ATVPDKIKX0DER', 'A2EUQ1WTGCTBG2'],
    })
  })

  it('declares the content type the user picks', async () => {
    const { calls } = mockFetch({
      ...rawHandlers(() => json(202, feed({ id: 'f7' }))),
      'POST /api/feeds/createDocument': () => json(201, { ...DOCUMENT, content_type: 'text/tab-separated-values; charset=UTF-8' }),
    })
    renderRoutes(routes, PATH)
    const form = await openForm()
    await userEvent.selectOptions(within(form).getByLabelText('Content type'), 'text/tab-separated-values; charset=UTF-8')
    await userEvent.clear(within(form).getByLabelText('Feed type'))
    await userEvent.type(within(form).getByLabelText('Feed type'), 'POST_FLAT_FILE_INVLOADER_DATA')
    await userEvent.upload(within(form).getByLabelText('Feed file'), FILE)
    await userEvent.click(within(form).getByRole('button', { name: 'Upload and create feed' }))
    await waitFor(() => expect(calls.some((r) => r.method === 'PUT')).toBe(true))
    const doc = calls.find((r) => new URL(r.url).pathname === '/api/feeds/createDocument')!
    expect(((await doc.json()) as { contentType: string }).contentType).toBe('text/tab-separated-values; charset=UTF-8')
    expect(calls.find((r) => r.method === 'PUT')!.headers.get('Content-Type')).toBe('text/tab-separated-values; charset=UTF-8')
  })

  it('shows the issues of a listings feed Amazon would refuse', async () => {
    mockFetch(
      rawHandlers(() =>
        json(422, {
          error: { code: 'validation_error', message: 'The feed does not follow the schema.', request_id: 'r' },
          issues: [issue(2, '/patches/0/value', 'must be array', 'SKU-9')],
        }),
      ),
    )
    renderRoutes(routes, PATH)
    const form = await openForm()
    await userEvent.upload(within(form).getByLabelText('Feed file'), FILE)
    await userEvent.click(within(form).getByRole('button', { name: 'Upload and create feed' }))
    expect(await within(form).findByTestId('raw-issues')).toHaveTextContent('Line 2 · SKU SKU-9 · /patches/0/value: must be array')
    expect(screen.queryByTestId('feed-detail')).not.toBeInTheDocument()
  })

  it('refuses without a file, and a file over the limit before uploading it', async () => {
    const { calls } = mockFetch(rawHandlers(() => json(202, feed())))
    renderRoutes(routes, PATH)
    const form = await openForm()
    await userEvent.click(within(form).getByRole('button', { name: 'Upload and create feed' }))
    expect(within(form).getByTestId('raw-missing')).toHaveTextContent('Pick the feed file.')
    await userEvent.upload(within(form).getByLabelText('Feed file'), new File(['x'.repeat(2_000)], 'big.json'))
    await userEvent.click(within(form).getByRole('button', { name: 'Upload and create feed' }))
    expect(await within(form).findByTestId('raw-error')).toHaveTextContent('larger than the 1,000 bytes')
    expect(calls.some((r) => r.method === 'PUT')).toBe(false)
  })
})
