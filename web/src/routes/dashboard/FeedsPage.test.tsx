import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import type { BulkFeedIn } from '@/features/feeds/types'
import { feed, feedHandlers, issue, row } from '@/test/feeds'
import { json, mockFetch, renderRoutes } from '@/test/utils'
import { routes } from '../index'

const PATH = '/dashboard/tenants/t1/feeds'
const CSV = new File(['sku,price,currency,quantity\n'], 'prices.csv', { type: 'text/csv' })
const ROWS = [row(2), row(3, { quantity: '-4', handling_time: '2' }), row(4, { price: 'abc' }), row(5, { sku: '' }), row(6)]
const PARSE_ISSUES = [
  // The API's sentences name the line and column themselves; the page says where once, in its own words.
  issue(3, 'quantity', "Line 3, column quantity: '-4' is not a quantity: write a whole number of 0 or more, such as 12.", 'SKU-3'),
  issue(4, 'price', 'The price must be a positive number with at most 2 decimals.', 'SKU-4'),
  issue(5, 'sku', 'The SKU is required.'),
]

function posts(calls: Request[], path: string) {
  return calls.filter((r) => r.method === 'POST' && new URL(r.url).pathname === path)
}

async function upload() {
  const form = await screen.findByRole('form', { name: 'Bulk price & quantity update' })
  await userEvent.upload(within(form).getByLabelText('CSV file'), CSV)
  return form
}

describe('feeds page: the bulk update', () => {
  it('shows the issues per line, lets the user fix them, checks again and submits', async () => {
    let checks = 0
    const { calls } = mockFetch({
      ...feedHandlers(),
      'POST /api/feeds/bulk/csv': () => json(200, { rows: ROWS, issues: PARSE_ISSUES }),
      'POST /api/feeds/bulk/validate': () => {
        checks += 1
        return checks === 1
          ? json(200, { issues: [issue(4, 'price', 'The price must be a positive number with at most 2 decimals.', 'SKU-4')], message_count: 0, schema_checked: true })
          : json(200, { issues: [], message_count: 5, schema_checked: true })
      },
      'POST /api/feeds/bulk': () => json(202, feed({ id: 'f1', status: 'pending', processing_status: null, summary: null, has_report: false })),
    })
    document.cookie = 'csrf_token=tok-1; path=/'
    const { router } = renderRoutes(routes, PATH)
    const form = await upload()

    expect(await within(form).findByTestId('bulk-summary')).toHaveTextContent('prices.csv: 5 rows, 3 issues on 3 lines')
    const listed = within(form).getAllByTestId('feed-issue')
    expect(listed.map((li) => li.textContent)).toEqual([
      "Line 3 · SKU SKU-3 · quantity: '-4' is not a quantity: write a whole number of 0 or more, such as 12.",
      'Line 4 · SKU SKU-4 · price: The price must be a positive number with at most 2 decimals.',
      'Line 5 · sku: The SKU is required.',
    ])
    // A file with issues is not checked again by itself, and cannot be submitted.
    expect(posts(calls, '/api/feeds/bulk/validate')).toHaveLength(0)
    const submit = within(form).getByRole('button', { name: 'Submit' })
    expect(submit).toBeDisabled()
    const [sent] = posts(calls, '/api/feeds/bulk/csv')
    expect(new URL(sent!.url).searchParams.get('tenant_id')).toBe('t1')
    expect(sent!.headers.get('X-CSRF-Token')).toBe('tok-1')
    // jsdom's File loses its bytes on the way through Node's Request: the Chromium test sees the real upload.
    expect((await sent!.formData()).has('file')).toBe(true)

    // Only the lines with issues are in the editor; the cell at fault says why.
    const editor = within(form).getByTestId('bulk-editor')
    expect(within(editor).getAllByTestId('bulk-edit-row').map((r) => r.getAttribute('data-line'))).toEqual(['3', '4', '5'])
    expect(within(editor).getByLabelText('Handling time (days), line 3')).toHaveValue('2')
    const quantity = within(editor).getByLabelText('Quantity, line 3')
    expect(quantity).toHaveAttribute('aria-invalid', 'true')
    expect(quantity).toHaveAccessibleDescription("'-4' is not a quantity: write a whole number of 0 or more, such as 12.")
    await userEvent.clear(quantity)
    await userEvent.type(quantity, '4')
    await userEvent.clear(within(editor).getByLabelText('Price, line 4'))
    await userEvent.type(within(editor).getByLabelText('Price, line 4'), '12.5O')
    await userEvent.type(within(editor).getByLabelText('SKU, line 5'), 'SKU-5')

    // Check again: every row goes, as edited; the price is still wrong.
    await userEvent.click(within(form).getByRole('button', { name: 'Check again' }))
    await waitFor(() => expect(within(form).getAllByTestId('feed-issue')).toHaveLength(1))
    const first = (await posts(calls, '/api/feeds/bulk/validate')[0]!.json()) as BulkFeedIn
    expect(first.connectionId).toBe('c1')
    expect(first.marketplaceId).toBe('ATVPDKIKX0DER')
    expect(first.rows.map((r) => [r.line, r.sku, r.price, r.quantity, r.handlingTime])).toEqual([
      [2, 'SKU-2', '19.99', '5', ''],
      [3, 'SKU-3', '19.99', '4', '2'],
      [4, 'SKU-4', '12.5O', '5', ''],
      [5, 'SKU-5', '19.99', '5', ''],
      [6, 'SKU-6', '19.99', '5', ''],
    ])
    // Fixed lines stay on screen, marked fixed.
    expect(within(editor).getAllByTestId('bulk-edit-row').map((r) => r.getAttribute('data-state'))).toEqual(['fixed', 'invalid', 'fixed'])
    expect(submit).toBeDisabled()

    await userEvent.clear(within(editor).getByLabelText('Price, line 4'))
    await userEvent.type(within(editor).getByLabelText('Price, line 4'), '12.50')
    await userEvent.click(within(form).getByRole('button', { name: 'Check again' }))
    expect(await within(form).findByTestId('bulk-verdict')).toHaveTextContent(
      "No issues: 5 changes ready for Amazon, checked against Amazon's listings feed schema.",
    )
    expect(within(form).queryByTestId('feed-issues')).not.toBeInTheDocument()
    await waitFor(() => expect(submit).toBeEnabled())

    await userEvent.click(submit)
    await waitFor(() => expect(posts(calls, '/api/feeds/bulk')).toHaveLength(1))
    const body = (await posts(calls, '/api/feeds/bulk')[0]!.json()) as BulkFeedIn
    expect(body.rows.find((r) => r.line === 4)?.price).toBe('12.50')
    expect(body.rows).toHaveLength(5)
    // The submitted feed is shown and its id goes to the address; the form is empty again.
    expect(await screen.findByTestId('feed-detail')).toHaveAttribute('data-feed-id', 'f1')
    expect(router.state.location.search).toBe('?feed=f1')
    expect(within(form).queryByTestId('bulk-draft')).not.toBeInTheDocument()
  })

  it('checks a clean file at once, and asks for a new check after an edit or another marketplace', async () => {
    const { calls } = mockFetch({
      ...feedHandlers(),
      'POST /api/feeds/bulk/csv': () => json(200, { rows: [row(2), row(3)], issues: [] }),
      'POST /api/feeds/bulk/validate': () => json(200, { issues: [], message_count: 2, schema_checked: false }),
    })
    renderRoutes(routes, PATH)
    const form = await upload()
    expect(await within(form).findByTestId('bulk-verdict')).toHaveTextContent('No issues: 2 changes ready for Amazon.')
    expect(within(form).getByRole('button', { name: 'Submit' })).toBeEnabled()
    expect(posts(calls, '/api/feeds/bulk/validate')).toHaveLength(1)
    await userEvent.selectOptions(within(form).getByLabelText('Marketplace'), 'A2EUQ1WTGCTBG2')
    expect(within(form).getByRole('button', { name: 'Submit' })).toBeDisabled()
    expect(within(form).getByTestId('bulk-verdict')).toHaveTextContent('Check the rows before submitting them.')
    await userEvent.click(within(form).getByRole('button', { name: 'Check again' }))
    const again = (await posts(calls, '/api/feeds/bulk/validate')[1]!.json()) as BulkFeedIn
    expect(again.marketplaceId).toBe('A2EUQ1WTGCTBG2')
    await waitFor(() => expect(within(form).getByRole('button', { name: 'Submit' })).toBeEnabled())
  })

  it('shows the issues of a refused submit next to the rows', async () => {
    mockFetch({
      ...feedHandlers(),
      'POST /api/feeds/bulk/csv': () => json(200, { rows: [row(2)], issues: [] }),
      'POST /api/feeds/bulk/validate': () => json(200, { issues: [], message_count: 1, schema_checked: true }),
      'POST /api/feeds/bulk': () =>
        json(422, {
          error: { code: 'validation_error', message: 'The feed has issues.', request_id: 'r' },
          issues: [issue(2, 'currency', 'The marketplace sells in CAD, not USD.', 'SKU-2')],
        }),
    })
    renderRoutes(routes, PATH)
    const form = await upload()
    const submit = within(form).getByRole('button', { name: 'Submit' })
    await waitFor(() => expect(submit).toBeEnabled())
    await userEvent.click(submit)
    expect(await within(form).findByTestId('feed-issue')).toHaveTextContent('Line 2 · SKU SKU-2 · currency: The marketplace sells in CAD, not USD.')
    expect(within(form).getByLabelText('Currency, line 2')).toHaveAttribute('aria-invalid', 'true')
    expect(submit).toBeDisabled()
  })

  it('says why a file could not be read', async () => {
    mockFetch({
      ...feedHandlers(),
      'POST /api/feeds/bulk/csv': () =>
        json(422, {
          error: { code: 'validation_error', message: 'The file has issues.', request_id: 'r' },
          issues: [issue(1, 'colour', 'Line 1: the column "colour" is not one of sku, price, currency, quantity, handling_time.')],
        }),
    })
    renderRoutes(routes, PATH)
    const form = await upload()
    expect(await within(form).findByRole('alert')).toHaveTextContent('The file has issues.')
    expect(within(form).queryByTestId('bulk-draft')).not.toBeInTheDocument()
  })
})

describe('feeds page: roles', () => {
  it('is read only for members: the list and the results, no forms', async () => {
    mockFetch(feedHandlers('viewer'))
    renderRoutes(routes, PATH)
    expect(await screen.findByTestId('feeds-read-only')).toBeInTheDocument()
    expect(screen.queryByRole('form', { name: 'Bulk price & quantity update' })).not.toBeInTheDocument()
    expect(screen.queryByText('Advanced: upload a feed file')).not.toBeInTheDocument()
    await userEvent.click(await screen.findByRole('button', { name: /Bulk price & quantity update/ }))
    const detail = await screen.findByTestId('feed-detail')
    expect(await within(detail).findAllByTestId('feed-result-row')).toHaveLength(3)
  })
})
