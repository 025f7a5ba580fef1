import { bareMessage } from './format'
import type { BulkRowIn, FeedIssueOut } from './types'

/** The CSV's columns, in the order the editor shows them (handling_time is optional). */
export const BULK_COLUMNS = ['sku', 'price', 'currency', 'quantity', 'handling_time'] as const
export type BulkColumn = (typeof BULK_COLUMNS)[number]

export const COLUMN_LABELS: Record<BulkColumn, string> = {
  sku: 'SKU',
  price: 'Price',
  currency: 'Currency',
  quantity: 'Quantity',
  handling_time: 'Handling time (days)',
}

/** The editor shows at most this many lines; beyond that, fixing the file itself is the better way. */
export const MAX_EDITABLE = 100

export function isColumn(field: string | null): field is BulkColumn {
  return field !== null && (BULK_COLUMNS as readonly string[]).includes(field)
}

/** The issues of one line, keyed by column ('' for those about the whole line). */
export function issuesByLine(issues: FeedIssueOut[]): Map<number, Map<string, string[]>> {
  const byLine = new Map<number, Map<string, string[]>>()
  for (const issue of issues) {
    if (issue.line === null) continue
    const line = byLine.get(issue.line) ?? new Map<string, string[]>()
    const key = isColumn(issue.field) ? issue.field : ''
    line.set(key, [...(line.get(key) ?? []), bareMessage(issue)])
    byLine.set(issue.line, line)
  }
  return byLine
}

/** The lines of rows that have an issue, in file order. */
export function linesWithIssues(rows: BulkRowIn[], issues: FeedIssueOut[]): number[] {
  const flagged = new Set(issues.map((i) => i.line))
  return rows.filter((r) => flagged.has(r.line)).map((r) => r.line)
}

/** The lines being edited: those flagged now plus those flagged before (the user sees a fixed line stay). */
export function mergeLines(previous: number[], next: number[]): number[] {
  return [...new Set([...previous, ...next])].sort((a, b) => a - b)
}

export function updateCell(rows: BulkRowIn[], line: number, column: BulkColumn, value: string): BulkRowIn[] {
  return rows.map((r) => (r.line === line ? { ...r, [column]: value } : r))
}

export function removeLine(rows: BulkRowIn[], line: number): BulkRowIn[] {
  return rows.filter((r) => r.line !== line)
}

/** A row as the API reads it: every column a string, "" when empty. */
export function normalizeRow(row: Partial<BulkRowIn> & { line: number }): BulkRowIn {
  return {
    line: row.line,
    sku: row.sku ?? '',
    price: row.price ?? '',
    currency: row.currency ?? '',
    quantity: row.quantity ?? '',
    handling_time: row.handling_time ?? '',
  }
}
