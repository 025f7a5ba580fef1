import { describe, expect, it } from 'vitest'

import { ordersChanged, phaseLabel, shortDuration } from './api'

describe('sync helpers', () => {
  it('formats durations for ETAs and next runs', () => {
    expect(shortDuration(12_000)).toBe('12 s')
    expect(shortDuration(5 * 60_000)).toBe('5 min')
    expect(shortDuration(125 * 60_000)).toBe('2 h 5 min')
    expect(shortDuration(3 * 86_400_000)).toBe('3 d')
    expect(shortDuration(-1)).toBe('0 s')
  })

  it('names the phases', () => {
    expect(phaseLabel('backfill')).toBe('Backfilling')
    expect(phaseLabel('up_to_date')).toBe('Up to date')
  })

  it('counts orders changed by a run', () => {
    expect(ordersChanged(null)).toBe(0)
    expect(ordersChanged({ orders_inserted: 2, orders_updated: 3 } as Parameters<typeof ordersChanged>[0])).toBe(5)
  })
})
