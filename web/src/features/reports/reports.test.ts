import { describe, expect, it } from 'vitest'

import { salesByDay } from './chart-data'
import { flattenReports } from './api'
import { formatBytes, formatCell, progressOf, viaLabel } from './format'
import type { ReportsPage } from './types'
import { addDays, dataTimes, daysInclusive, defaultRange, validateDates } from './validation'
import { BY_DATE, report } from '@/test/reports'

const SALES = { title: 'Sales and traffic', needs_dates: true, max_range_days: 30, max_age_days: 730 }
const TODAY = '2026-12-06'

describe('date limits', () => {
  it('accepts a range inside the limits', () => {
    expect(validateDates(SALES, '2026-11-07', '2026-12-06', TODAY)).toEqual({})
    expect(daysInclusive('2026-11-07', '2026-12-06')).toBe(30)
  })

  it('names each problem on its field', () => {
    expect(validateDates(SALES, '2026-11-06', '2026-12-06', TODAY).to).toMatch(/at most 30 days per request; this range has 31/)
    expect(validateDates(SALES, addDays(TODAY, -730), addDays(TODAY, -725), TODAY).from).toBe(
      'Amazon keeps Sales and traffic for 730 days: pick 2024-12-07 or later.',
    )
    expect(validateDates(SALES, addDays(TODAY, -729), addDays(TODAY, -725), TODAY)).toEqual({})
    expect(validateDates(SALES, '2026-12-01', '2026-11-30', TODAY).to).toMatch(/on or after the first day/)
    expect(validateDates(SALES, '2026-12-07', '2026-12-08', TODAY)).toEqual({
      from: 'The first day cannot be in the future.',
      to: 'The last day cannot be in the future.',
    })
    expect(validateDates(SALES, '', '', TODAY)).toEqual({ from: 'Pick the first day of the report.', to: 'Pick the last day of the report.' })
  })

  it('skips snapshots and types without limits', () => {
    expect(validateDates({ ...SALES, needs_dates: false }, '', '', TODAY)).toEqual({})
    expect(validateDates({ ...SALES, max_range_days: null, max_age_days: null }, '2020-01-01', '2026-12-01', TODAY)).toEqual({})
  })

  it('starts from the last 7 days, or fewer when the type allows fewer', () => {
    expect(defaultRange(SALES, TODAY)).toEqual({ from: '2026-11-29', to: '2026-12-05' })
    expect(validateDates(SALES, defaultRange(SALES, TODAY).from, defaultRange(SALES, TODAY).to, TODAY)).toEqual({})
    expect(defaultRange({ max_range_days: 3 }, TODAY)).toEqual({ from: '2026-12-03', to: '2026-12-05' })
    expect(daysInclusive('2026-12-03', '2026-12-05')).toBe(3)
  })

  it('sends whole UTC days, never an end in the future', () => {
    const now = new Date('2026-12-06T09:15:42.123Z')
    expect(dataTimes('2026-12-01', '2026-12-05', now)).toEqual({
      dataStartTime: '2026-12-01T00:00:00Z',
      dataEndTime: '2026-12-05T23:59:59Z',
    })
    expect(dataTimes('2026-12-01', '2026-12-06', now).dataEndTime).toBe('2026-12-06T09:15:00Z')
  })
})

describe('report helpers', () => {
  it('labels the adapter, the progress and the sizes', () => {
    expect(viaLabel('datakiosk')).toBe('via Data Kiosk')
    expect(viaLabel('report')).toBe('via Reports API')
    expect(progressOf({ status: 'pending', processing_status: null, via: 'report' }).value).toBeLessThan(
      progressOf({ status: 'processing', processing_status: 'IN_PROGRESS', via: 'report' }).value,
    )
    // Done at Amazon but not downloaded yet: no longer "waiting in Amazon's queue".
    const ready = progressOf({ status: 'processing', processing_status: 'DONE', via: 'report' })
    expect(ready.label).toBe('Ready at Amazon; downloading the document')
    expect(ready.value).toBeGreaterThan(
      progressOf({ status: 'processing', processing_status: 'IN_PROGRESS', via: 'report' }).value,
    )
    expect(progressOf({ status: 'processing', processing_status: 'DONE', via: 'datakiosk' }).label).toBe(
      'Ready at Data Kiosk; downloading the document',
    )
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1536)).toBe('1.5 KB')
    expect(formatBytes(25 * 1024 * 1024)).toBe('25 MB')
  })

  it('formats cells by column type', () => {
    const row = { amount: '1234.5', amount_currency: 'EUR', n: 1234567, p: 45.678, d: '2026-11-02', t: null }
    expect(formatCell({ key: 'amount', label: 'A', type: 'money' }, row)).toBe('€1,234.50')
    expect(formatCell({ key: 'n', label: 'N', type: 'number' }, row)).toBe('1,234,567')
    expect(formatCell({ key: 'p', label: 'P', type: 'percent' }, row)).toBe('45.68 %')
    expect(formatCell({ key: 'd', label: 'D', type: 'date' }, row)).toBe('Nov 2, 2026')
    expect(formatCell({ key: 't', label: 'T', type: 'text' }, row)).toBe('—')
  })

  it('keeps each report once across pages', () => {
    const pages: ReportsPage[] = [
      { reports: [report({ id: 'a' }), report({ id: 'b' })], next_cursor: 'x' },
      { reports: [report({ id: 'b' }), report({ id: 'c' })], next_cursor: null },
    ]
    expect(flattenReports({ pages, pageParams: [null, 'x'] }).map((r) => r.id)).toEqual(['a', 'b', 'c'])
  })

  it('adds up a day across marketplaces for the chart, oldest first', () => {
    const rows = [...BY_DATE.rows, { ...BY_DATE.rows[0]!, marketplace_id: 'A2EUQ1WTGCTBG2', ordered_product_sales: '10', units_ordered: 1 }]
    expect(salesByDay(BY_DATE.columns, rows)).toEqual({
      points: [
        { date: '2026-11-01', sales: 80, units: 3 },
        { date: '2026-11-02', sales: 130.5, units: 6 },
      ],
      currency: 'USD',
    })
    expect(salesByDay([{ key: 'sku', label: 'SKU', type: 'text' }], [{ sku: 'x' }])).toBeNull()
  })

  it('charts the DAY rows of a table that also holds weeks', () => {
    const rows = [
      { ...BY_DATE.rows[0]!, granularity: 'DAY' },
      { ...BY_DATE.rows[1]!, granularity: 'WEEK', ordered_product_sales: '999', units_ordered: 99 },
    ]
    expect(salesByDay(BY_DATE.columns, rows)!.points).toEqual([{ date: '2026-11-02', sales: 120.5, units: 5 }])
  })
})
