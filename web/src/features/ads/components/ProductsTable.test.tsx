import { configure, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeAll, describe, expect, it } from 'vitest'

import { routes } from '@/routes'
import { adsHandlers, queries } from '@/test/ads'
import { apiError, mockFetch, renderRoutes } from '@/test/utils'

const PATH = '/dashboard/tenants/t1/ads'

function cell(row: HTMLElement, column: string): HTMLElement {
  return row.querySelector<HTMLElement>(`[data-col="${column}"]`)!
}

describe('ads products table', () => {
  // The page is a lazy chunk: loaded once here, so no test waits on its first import. Its charts take a
  // while to lay out in jsdom, more so on a busy machine: the page gets 5 s to show up.
  beforeAll(async () => {
    configure({ asyncUtilTimeout: 5000 })
    await import('@/routes/dashboard/AdsPage')
  })

  it('renders each product with its figures in the profile currency, a dash where a ratio has none', async () => {
    mockFetch(adsHandlers())
    renderRoutes(routes, PATH)
    const rows = await screen.findAllByTestId('ads-product-row')
    expect(rows.map((r) => r.getAttribute('data-asin'))).toEqual(['B000000001', 'B000000002'])
    const [first, second] = rows as [HTMLElement, HTMLElement]
    expect(within(first).getByTestId('ads-product-asin')).toHaveTextContent('B000000001')
    expect(first).toHaveTextContent('SKU-001')
    expect(cell(first, 'spend')).toHaveTextContent('$120.50')
    expect(cell(first, 'spend')).toHaveAttribute('data-value', '120.50')
    expect(cell(first, 'ad_sales')).toHaveTextContent('$482.00')
    expect(cell(first, 'acos')).toHaveTextContent('25.0%')
    expect(cell(first, 'roas')).toHaveTextContent('4.00×')
    expect(cell(first, 'tacos')).toHaveTextContent('10.0%')
    expect(cell(first, 'total_sales')).toHaveTextContent('$1,205.00')
    expect(cell(first, 'impressions')).toHaveTextContent('12,000')
    expect(cell(first, 'ctr')).toHaveTextContent('2.5%')
    expect(cell(first, 'cpc')).toHaveTextContent('$0.40')
    expect(cell(second, 'acos')).toHaveTextContent('—')
    expect(cell(second, 'tacos')).toHaveTextContent('—')
    expect(cell(second, 'total_sales')).toHaveTextContent('—')
  })

  it('sorts by a column through the API: highest first, then flipped', async () => {
    const { calls } = mockFetch(adsHandlers())
    renderRoutes(routes, PATH)
    await screen.findAllByTestId('ads-product-row')
    const list = () => queries(calls, '/api/ads/products').filter((q) => q.get('group') === 'asin')
    expect(list()[0]!.get('sort')).toBe('spend')
    expect(list()[0]!.get('order')).toBe('desc')
    const table = screen.getByRole('table', { name: 'Advertised products' })
    expect(within(table).getByRole('columnheader', { name: /^Spend/ })).toHaveAttribute('aria-sort', 'descending')

    await userEvent.click(within(table).getByRole('button', { name: /^ACOS/ }))
    await waitFor(() => expect(list().at(-1)!.get('sort')).toBe('acos'))
    expect(list().at(-1)!.get('order')).toBe('desc')
    expect(within(table).getByRole('columnheader', { name: /^ACOS/ })).toHaveAttribute('aria-sort', 'descending')

    await userEvent.click(within(table).getByRole('button', { name: /^ACOS/ }))
    await waitFor(() => expect(list().at(-1)!.get('order')).toBe('asc'))
    expect(within(table).getByRole('columnheader', { name: /^ACOS/ })).toHaveAttribute('aria-sort', 'ascending')
    expect(list().every((q) => !q.has('cursor'))).toBe(true)
  })

  it('loads more products with the cursor of the last page', async () => {
    const { calls } = mockFetch(adsHandlers())
    renderRoutes(routes, PATH)
    await screen.findAllByTestId('ads-product-row')
    await userEvent.click(screen.getByRole('button', { name: 'Load more products' }))
    await waitFor(() => expect(screen.getAllByTestId('ads-product-row')).toHaveLength(3))
    expect(screen.getAllByTestId('ads-product-row').at(-1)).toHaveAttribute('data-asin', 'B000000003')
    expect(queries(calls, '/api/ads/products').at(-1)!.get('cursor')).toBe('page-2')
    // The last page had no cursor: nothing more to load.
    expect(screen.queryByRole('button', { name: 'Load more products' })).not.toBeInTheDocument()
  })

  it("opens a product's campaigns and ad groups under its row", async () => {
    const { calls } = mockFetch(adsHandlers())
    renderRoutes(routes, PATH)
    await screen.findAllByTestId('ads-product-row')
    const toggle = screen.getByRole('button', { name: 'Show the campaigns of B000000001' })
    await userEvent.click(toggle)
    const groups = await screen.findAllByTestId('ads-drill-row')
    expect(toggle).toHaveAttribute('aria-expanded', 'true')
    expect(groups.map((g) => g.getAttribute('data-ad-group-id'))).toEqual(['g1', 'g2'])
    expect(groups[0]).toHaveTextContent('Mugs - auto')
    expect(groups[0]).toHaveTextContent('All mugs')
    expect(cell(groups[1]!, 'spend')).toHaveTextContent('$40.50')
    const drill = queries(calls, '/api/ads/products').find((q) => q.get('group') === 'ad_group')!
    expect(drill.get('asin')).toBe('B000000001')
    expect(drill.get('profile_id')).toBe('3001')
    // The drill-down sits right under its product.
    const rows = screen.getAllByRole('row')
    const product = rows.findIndex((r) => r.getAttribute('data-asin') === 'B000000001' && r.dataset.testid === 'ads-product-row')
    expect(rows[product + 1]).toBe(groups[0])

    await userEvent.click(screen.getByRole('button', { name: 'Hide the campaigns of B000000001' }))
    expect(screen.queryByTestId('ads-drill-row')).not.toBeInTheDocument()
  })

  it('says why a drill-down failed without losing the table', async () => {
    const base = adsHandlers()
    mockFetch({
      ...base,
      'GET /api/ads/products': (request: Request) =>
        new URL(request.url).searchParams.get('group') === 'ad_group'
          ? apiError(500, 'internal', 'Campaigns are away.')
          : base['GET /api/ads/products'](request),
    })
    renderRoutes(routes, PATH)
    await screen.findAllByTestId('ads-product-row')
    await userEvent.click(screen.getByRole('button', { name: 'Show the campaigns of B000000002' }))
    expect(await screen.findByTestId('ads-drill-error')).toHaveTextContent('Campaigns are away.')
    expect(screen.getAllByTestId('ads-product-row')).toHaveLength(2)
  })
})
