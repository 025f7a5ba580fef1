import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'

import { salesByDay } from '../chart-data'
import { BY_DATE } from '@/test/reports'
import { SalesTrafficChart } from './SalesTrafficChart'

describe('sales and traffic chart', () => {
  it('is an image named by what it shows, with the totals as its description', () => {
    const series = salesByDay(BY_DATE.columns, BY_DATE.rows)!
    render(<SalesTrafficChart series={series} />)
    const chart = screen.getByRole('img', { name: 'Ordered product sales and units ordered by day, Nov 1, 2026 to Nov 2, 2026' })
    expect(chart).toHaveAccessibleDescription('2 days: $200.50 of ordered product sales and 8 units in total; the best day sold $120.50.')
    expect(chart.querySelector('title')).toHaveTextContent('Ordered product sales and units ordered by day')
    // One bar per day, oldest first, the taller bar for the day with more units.
    const bars = [...chart.querySelectorAll('rect')]
    expect(bars.map((b) => b.getAttribute('data-units'))).toEqual(['3', '5'])
    expect(Number(bars[1]!.getAttribute('height'))).toBeGreaterThan(Number(bars[0]!.getAttribute('height')))
    // The sales line rises from the first day to the second (SVG y grows downwards).
    const d = screen.getByTestId('sales-line').getAttribute('d')!
    const ys = [...d.matchAll(/[ML][\d.]+,([\d.]+)/g)].map((m) => Number(m[1]))
    expect(ys).toHaveLength(2)
    expect(ys[1]).toBeLessThan(ys[0]!)
  })

  it('draws a single day in the middle', () => {
    render(<SalesTrafficChart series={{ points: [{ date: '2026-11-01', sales: 0, units: 0 }], currency: null }} />)
    expect(screen.getByRole('img')).toHaveAccessibleName('Ordered product sales and units ordered by day, Nov 1, 2026 to Nov 1, 2026')
    expect(screen.getByTestId('sales-line').getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+$/)
  })
})
