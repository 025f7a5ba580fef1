import { describe, expect, it } from 'vitest'

import { withQuery } from './http'
import { fromApi, issuesByLine, linesWithIssues, mergeLines, removeLine, toApi, updateCell } from './bulk-rows'
import { bareMessage, count, issueWhere, progressOf, sentAs, stepStates } from './format'

const rows = [2, 3, 4].map((line) => ({ line, sku: `S${line}`, price: '1', currency: 'USD', quantity: '1', handling_time: '' }))

describe('feeds: pure helpers', () => {
  it('groups the issues of a line by column, the whole-line ones under ""', () => {
    const byLine = issuesByLine([
      { line: 3, sku: null, field: 'price', message: 'a' },
      { line: 3, sku: null, field: 'price', message: 'b' },
      { line: 3, sku: null, field: null, message: 'c' },
      { line: 4, sku: null, field: '/patches/0/value', message: 'd' },
      { line: null, sku: null, field: null, message: 'e' },
    ])
    expect([...byLine.keys()]).toEqual([3, 4])
    expect(byLine.get(3)?.get('price')).toEqual(['a', 'b'])
    expect(byLine.get(3)?.get('')).toEqual(['c'])
    expect(byLine.get(4)?.get('')).toEqual(['d'])
  })

  it('keeps the lines being edited in file order, fixed ones included', () => {
    expect(linesWithIssues(rows, [{ line: 4, sku: null, field: null, message: '' }, { line: 9, sku: null, field: null, message: '' }])).toEqual([4])
    expect(mergeLines([4, 2], [3, 4])).toEqual([2, 3, 4])
  })

  it('edits and removes a line without touching the others', () => {
    const edited = updateCell(rows, 3, 'price', '2.50')
    expect(edited.map((r) => r.price)).toEqual(['1', '2.50', '1'])
    expect(rows[1]!.price).toBe('1')
    expect(removeLine(rows, 3).map((r) => r.line)).toEqual([2, 4])
  })

  it('says a sentence once: without the line and column the page already shows', () => {
    expect(bareMessage({ message: "Line 12, column price: 'abc' is not a price." })).toBe("'abc' is not a price.")
    expect(bareMessage({ message: 'Line 1: the column "colour" is not one of ours.' })).toBe('The column "colour" is not one of ours.')
    expect(bareMessage({ message: 'The SKU is required.' })).toBe('The SKU is required.')
    expect(count(1, 'line')).toBe('1 line')
    expect(count(1000, 'row')).toBe('1,000 rows')
  })

  it('reads a row as answered (snake_case) and writes it as requested (camelCase)', () => {
    const answered = { line: 2, sku: 'A', price: '1', currency: 'USD', quantity: '3', handling_time: '4' }
    expect(fromApi(answered)).toEqual(answered)
    expect(toApi(fromApi(answered))).toEqual({ line: 2, sku: 'A', price: '1', currency: 'USD', quantity: '3', handlingTime: '4' })
  })

  it('names where an issue is', () => {
    expect(issueWhere({ line: 12, sku: 'A', field: 'price' })).toBe('Line 12 · SKU A · price')
    expect(issueWhere({ line: null, sku: null, field: null })).toBe('The file')
  })

  it('walks the steps up to Amazon’s DONE', () => {
    expect(stepStates({ status: 'uploaded', processing_status: null })).toEqual(['done', 'current', 'todo', 'todo', 'todo', 'todo'])
    expect(stepStates({ status: 'processing', processing_status: 'IN_QUEUE' })).toEqual(['done', 'done', 'done', 'current', 'todo', 'todo'])
    expect(stepStates({ status: 'done', processing_status: 'DONE' })).toEqual(Array(6).fill('done'))
    expect(progressOf({ status: 'processing', processing_status: 'IN_PROGRESS' }).value).toBeGreaterThan(
      progressOf({ status: 'processing', processing_status: 'IN_QUEUE' }).value,
    )
    expect(progressOf({ status: 'draft', processing_status: null }).value).toBe(0)
  })

  it('adds the tenant to a path that may already have a query, never twice', () => {
    expect(withQuery('/api/feeds/f1/upload', { tenant_id: 't1' })).toBe('/api/feeds/f1/upload?tenant_id=t1')
    expect(withQuery('/api/feeds/f1/upload?tenant_id=t1', { tenant_id: 't2', x: '' })).toBe('/api/feeds/f1/upload?tenant_id=t1')
  })

  it('says how a submit was split, only when it was', () => {
    expect(sentAs([{ message_count: 1000 }])).toBeNull()
    expect(sentAs([])).toBeNull()
    expect(sentAs([{ message_count: 25_000 }, { message_count: 25_000 }, { message_count: 25_000 }, { message_count: 25_000 }])).toBe(
      'Sent as 4 feeds of at most 25,000 changes',
    )
    expect(sentAs([{ message_count: 3 }, { message_count: 3 }, { message_count: 1 }])).toBe('Sent as 3 feeds of at most 3 changes')
  })
})
