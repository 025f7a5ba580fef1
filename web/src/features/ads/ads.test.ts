import { describe, expect, it } from 'vitest'

import { changeOf, formatMoney, formatPercent, formatRoas } from './format'
import { dayCount, formatRange, presetRange, rangeProblem, todayIn } from './range'
import { hasAdData, readView, resolveRange } from './view'

describe('ads ranges', () => {
  // 07:30 UTC on Dec 6 is still Dec 5 in Los Angeles and already Dec 6 in Tokyo.
  const now = new Date('2026-12-06T07:30:00Z')

  it("ends a preset today in the profile's time zone, both ends included", () => {
    expect(todayIn('America/Los_Angeles', now)).toBe('2026-12-05')
    expect(todayIn('Asia/Tokyo', now)).toBe('2026-12-06')
    expect(todayIn(null, now)).toBe('2026-12-06')
    expect(presetRange(7, 'America/Los_Angeles', now)).toEqual({ start: '2026-11-29', end: '2026-12-05' })
    expect(dayCount(presetRange(90, 'Asia/Tokyo', now))).toBe(90)
  })

  it('refuses a custom range that is incomplete, backwards or longer than the API answers', () => {
    expect(rangeProblem({ start: '', end: '2026-12-01' })).toBe('Pick both days.')
    expect(rangeProblem({ start: '2026-12-02', end: '2026-12-01' })).toBe('The first day comes after the last one.')
    expect(rangeProblem({ start: '2025-01-01', end: '2026-01-02' })).toBe('A range spans at most 366 days.')
    expect(rangeProblem({ start: '2025-01-01', end: '2026-01-01' })).toBeNull()
  })

  it('writes a range short', () => {
    expect(formatRange({ start: '2026-11-30', end: '2026-12-02' })).toBe('Nov 30 – Dec 2, 2026')
    expect(formatRange({ start: '2025-12-30', end: '2026-01-02' })).toBe('Dec 30, 2025 – Jan 2, 2026')
    expect(formatRange({ start: '2026-12-02', end: '2026-12-02' })).toBe('Dec 2, 2026')
  })
})

describe('ads figures', () => {
  it('writes ratios as percentages and a missing one as a dash', () => {
    expect(formatPercent(0.2534)).toBe('25.3%')
    expect(formatPercent(null)).toBe('—')
    expect(formatRoas(3.951)).toBe('3.95×')
    expect(formatRoas(null)).toBe('—')
    expect(formatMoney('1234.5', 'EUR')).toMatch(/1,234\.50/)
    expect(formatMoney(null, 'USD')).toBe('—')
  })

  it('compares money relatively and ratios in points', () => {
    expect(changeOf('125.00', '100.00', 'amount')).toEqual({ label: '+25.0%', trend: 'up' })
    expect(changeOf('90', '100', 'amount')).toEqual({ label: '−10.0%', trend: 'down' })
    expect(changeOf(0.25, 0.32, 'ratio')).toEqual({ label: '−7.0 pts', trend: 'down' })
    expect(changeOf(0.25, 0.25, 'ratio')).toEqual({ label: '±0.0 pts', trend: 'flat' })
    // Nothing to compare with: no spend before, or no ratio on either side.
    expect(changeOf('10', '0', 'amount')).toBeNull()
    expect(changeOf(null, 0.2, 'ratio')).toBeNull()
  })
})

describe('ads view in the URL', () => {
  it('reads what it understands and defaults the rest', () => {
    const view = readView(new URLSearchParams('profile=9&range=custom&start=2026-11-01&end=2026-11-10&sort=acos&order=asc&attribution=14'))
    expect(view).toEqual({
      profileId: '9',
      choice: { preset: 'custom', start: '2026-11-01', end: '2026-11-10' },
      attribution: 14,
      sort: { sort: 'acos', order: 'asc' },
    })
    const odd = readView(new URLSearchParams('range=custom&start=2026-11-10&end=2026-11-01&sort=name&attribution=30'))
    expect(odd).toEqual({ profileId: null, choice: { preset: 30 }, attribution: 7, sort: { sort: 'spend', order: 'desc' } })
    expect(readView(new URLSearchParams('range=90')).choice).toEqual({ preset: 90 })
    expect(resolveRange({ preset: 'custom', start: '2026-11-01', end: '2026-11-10' }, 'Asia/Tokyo')).toEqual({ start: '2026-11-01', end: '2026-11-10' })
  })

  it('counts a range with only order sales as without advertising data', () => {
    const day = { date: '2026-12-01', impressions: 0, clicks: 0, spend: '0.00', ad_sales: '0.00', purchases: 0, units: 0, total_sales: '90.00', acos: null, tacos: null, roas: null }
    expect(hasAdData([day])).toBe(false)
    expect(hasAdData([day, { ...day, spend: '0.01' }])).toBe(true)
  })
})
