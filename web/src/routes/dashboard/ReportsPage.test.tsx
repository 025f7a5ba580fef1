import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { addDays, todayUtc } from '@/features/reports/validation'
import { reportHandlers } from '@/test/reports'
import { apiError, json, mockFetch, renderRoutes } from '@/test/utils'
import { routes } from '../index'

const PATH = '/dashboard/tenants/t1/reports'

async function setDates(from: string, to: string) {
  const fromInput = await screen.findByLabelText('From')
  const toInput = screen.getByLabelText('To')
  await userEvent.clear(fromInput)
  if (from) await userEvent.type(fromInput, from)
  await userEvent.clear(toInput)
  if (to) await userEvent.type(toInput, to)
}

function creates(calls: Request[]) {
  return calls.filter((r) => r.method === 'POST' && new URL(r.url).pathname === '/api/reports/create')
}

describe('reports page: the request form', () => {
  it('offers only requestable types, with their description, and the connection marketplaces', async () => {
    mockFetch(reportHandlers())
    renderRoutes(routes, PATH)
    const type = await screen.findByLabelText('Report type')
    const options = within(type).getAllByRole('option').map((o) => o.textContent)
    expect(options).toEqual(['Sales and traffic', 'All listings'])
    expect(screen.getByTestId('report-type-description')).toHaveTextContent('Sales and traffic, as Amazon reports it.')
    expect(await within(screen.getByLabelText('Connection')).findByRole('option', { name: /Demo Store/ })).toBeInTheDocument()
    const marketplace = screen.getByLabelText('Marketplace')
    expect(within(marketplace).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'United States (US)',
      'Canada (CA)',
    ])
    // A snapshot type has no dates.
    await userEvent.selectOptions(type, 'GET_MERCHANT_LISTINGS_ALL_DATA')
    expect(screen.queryByLabelText('From')).not.toBeInTheDocument()
  })

  it('enforces the type date limits before sending anything', async () => {
    const { calls } = mockFetch(reportHandlers())
    renderRoutes(routes, PATH)
    const today = todayUtc()
    await setDates(addDays(today, -40), addDays(today, -1))
    expect(screen.getByTestId('report-to-error')).toHaveTextContent('at most 30 days per request; this range has 40')
    expect(screen.getByLabelText('To')).toHaveAttribute('aria-invalid', 'true')
    await userEvent.click(screen.getByRole('button', { name: 'Request report' }))
    expect(creates(calls)).toHaveLength(0)

    await setDates(addDays(today, -800), addDays(today, -790))
    expect(screen.getByTestId('report-from-error')).toHaveTextContent('Amazon keeps Sales and traffic for 730 days')

    await setDates(addDays(today, -3), addDays(today, -5))
    expect(screen.getByTestId('report-to-error')).toHaveTextContent('on or after the first day')

    await setDates(addDays(today, -3), addDays(today, 2))
    expect(screen.getByTestId('report-to-error')).toHaveTextContent('cannot be in the future')

    await setDates('', '')
    await userEvent.click(screen.getByRole('button', { name: 'Request report' }))
    expect(screen.getByTestId('report-from-error')).toHaveTextContent('Pick the first day')
    expect(creates(calls)).toHaveLength(0)
  })

  it('sends the request with the customer names and refreshes the list', async () => {
    const { calls } = mockFetch({ ...reportHandlers(), 'POST /api/reports/create': () => json(202, {}) })
    document.cookie = 'csrf_token=tok-1; path=/'
    renderRoutes(routes, PATH)
    const today = todayUtc()
    await setDates(addDays(today, -7), addDays(today, -1))
    await userEvent.selectOptions(screen.getByLabelText('Marketplace'), 'A2EUQ1WTGCTBG2')
    const listCalls = () => calls.filter((r) => new URL(r.url).pathname === '/api/reports').length
    const before = listCalls()
    await userEvent.click(screen.getByRole('button', { name: 'Request report' }))
    expect(await screen.findByText('Requested: follow it in the list below.')).toBeInTheDocument()
    const [sent] = creates(calls)
    expect(new URL(sent!.url).searchParams.get('tenant_id')).toBe('t1')
    expect(sent!.headers.get('X-CSRF-Token')).toBe('tok-1')
    expect(await sent!.json()).toEqual({
      connectionId: 'c1',
      reportType: 'GET_SALES_AND_TRAFFIC_REPORT',
      marketplaceIds: ['A2EUQ1WTGCTBG2'],
      dataStartTime: `${addDays(today, -7)}T00:00:00Z`,
      dataEndTime: `${addDays(today, -1)}T23:59:59Z`,
    })
    expect(listCalls()).toBeGreaterThan(before)
  })

  it('shows the server 422 next to the form', async () => {
    mockFetch({
      ...reportHandlers(),
      'POST /api/reports/create': () => apiError(422, 'validation_error', 'CA is not a marketplace of this connection.'),
    })
    renderRoutes(routes, PATH)
    await userEvent.click(await screen.findByRole('button', { name: 'Request report' }))
    expect(await screen.findByTestId('report-form-error')).toHaveTextContent('CA is not a marketplace of this connection.')
  })

  it('shows a FastAPI detail body too', async () => {
    mockFetch({ ...reportHandlers(), 'POST /api/reports/create': () => json(422, { detail: 'Too old for Amazon.' }) })
    renderRoutes(routes, PATH)
    await userEvent.click(await screen.findByRole('button', { name: 'Request report' }))
    expect(await screen.findByTestId('report-form-error')).toHaveTextContent('Too old for Amazon.')
  })

  it('is read only for members', async () => {
    mockFetch(reportHandlers('viewer'))
    renderRoutes(routes, PATH)
    expect(await screen.findByTestId('reports-read-only')).toBeInTheDocument()
    expect(await screen.findByTestId('report-row')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Request report' })).not.toBeInTheDocument()
    expect(await screen.findByTestId('schedule-row')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: /Delete the schedule/ })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Add schedule' })).not.toBeInTheDocument()
  })
})
