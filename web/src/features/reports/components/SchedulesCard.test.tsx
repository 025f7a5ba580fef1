import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { routes } from '@/routes/index'
import { reportHandlers, schedule } from '@/test/reports'
import { apiError, json, mockFetch, renderRoutes } from '@/test/utils'

const PATH = '/dashboard/tenants/t1/reports'

describe('report schedules', () => {
  it('lists, creates and deletes schedules', async () => {
    let schedules = [schedule()]
    const { calls } = mockFetch({
      ...reportHandlers(),
      'GET /api/reports/schedules': () => json(200, schedules),
      'POST /api/reports/schedules': () => {
        const created = schedule({ id: 's2', report_type: 'GET_MERCHANT_LISTINGS_ALL_DATA', every: 'month', range_days: null })
        schedules = [...schedules, created]
        return json(201, created)
      },
      'DELETE /api/reports/schedules/s1': () => {
        schedules = schedules.filter((s) => s.id !== 's1')
        return new Response(null, { status: 204 })
      },
    })
    renderRoutes(routes, PATH)
    const table = await screen.findByRole('table', { name: 'Report schedules' })
    const [row] = within(table).getAllByTestId('schedule-row')
    expect(row).toHaveTextContent('Sales and traffic')
    expect(row).toHaveTextContent('United States (US)')
    expect(row).toHaveTextContent('Every week · 7 days')

    // Only requestable types can be scheduled.
    const type = screen.getByLabelText('Schedule report type')
    expect(within(type).getAllByRole('option').map((o) => o.textContent)).toEqual(['Sales and traffic', 'All listings'])
    await userEvent.selectOptions(type, 'GET_MERCHANT_LISTINGS_ALL_DATA')
    await userEvent.selectOptions(screen.getByLabelText('Repeat'), 'month')
    await userEvent.click(screen.getByRole('button', { name: 'Add schedule' }))
    await waitFor(() => expect(screen.getAllByTestId('schedule-row')).toHaveLength(2))
    const post = calls.find((r) => r.method === 'POST' && new URL(r.url).pathname === '/api/reports/schedules')!
    expect(new URL(post.url).searchParams.get('tenant_id')).toBe('t1')
    expect(await post.json()).toEqual({
      connectionId: 'c1',
      reportType: 'GET_MERCHANT_LISTINGS_ALL_DATA',
      marketplaceIds: ['ATVPDKIKX0DER'],
      every: 'month',
    })

    await userEvent.click(screen.getAllByRole('button', { name: 'Delete the schedule of Sales and traffic' })[0]!)
    await waitFor(() => expect(screen.getAllByTestId('schedule-row')).toHaveLength(1))
    const del = calls.find((r) => r.method === 'DELETE')!
    expect(new URL(del.url).pathname).toBe('/api/reports/schedules/s1')
    expect(new URL(del.url).searchParams.get('tenant_id')).toBe('t1')
    expect(screen.getByTestId('schedule-row')).toHaveTextContent('All listings')
  })

  it('shows why a schedule was refused', async () => {
    mockFetch({
      ...reportHandlers(),
      'POST /api/reports/schedules': () => apiError(422, 'validation_error', 'This report is already scheduled.'),
    })
    renderRoutes(routes, PATH)
    await userEvent.click(await screen.findByRole('button', { name: 'Add schedule' }))
    expect(await screen.findByTestId('schedule-form-error')).toHaveTextContent('This report is already scheduled.')
  })

  it('says when there is none', async () => {
    mockFetch({ ...reportHandlers(), 'GET /api/reports/schedules': () => json(200, []) })
    renderRoutes(routes, PATH)
    expect(await screen.findByText('No schedules yet.')).toBeInTheDocument()
  })
})
