import { bareMessage } from './format'
import type { BulkRowIn, BulkRowOut, FeedIssueOut } from './types'

/** The CSV's columns, in the order the editor shows them (handling_time is optional). */
export const BULK_COLUMNS = ['sku', 'price', 'currency', 'quantity', 'handling_time'] as const
export type BulkColumn = (typeof BULK_COLUMNS)[number]

/** A row in the editor, keyed by the CSV's column names: the ones the API's issues name (`field`). */
export type BulkRow = { line: number } & Record<BulkColumn, string>

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
export function linesWithIssues(rows: BulkRow[], issues: FeedIssueOut[]): number[] {
  const flagged = new Set(issues.map((i) => i.line))
  return rows.filter((r) => flagged.has(r.line)).map((r) => r.line)
}

/** The lines being edited: those flagged now plus those flagged before (the user sees a fixed line stay). */
export function mergeLines(previous: number[], next: number[]): number[] {
  return [...new Set([...previous, ...next])].sort((a, b) => a - b)
}

export function updateCell(rows: BulkRow[], line: number, column: BulkColumn, value: string): BulkRow[] {
  return rows.map((r) => (r.line === line ? { ...r, [column]: value } : r))
}

export function removeLine(rows: BulkRow[], line: number): BulkRow[] {
  return rows.filter((r) => r.line !== line)
}

/** A row as the API answered it (snake_case, the CSV's names). */
export function fromApi(row: BulkRowOut): BulkRow {
  return {
    line: row.line,
    sku: row.sku,
    price: row.price,
    currency: row.currency,
    quantity: row.quantity,
    handling_time: row.handling_time,
  }
}

/** A row as the API reads it: the request names are camelCase, as the generated client writes them. */
export function toApi(row: BulkRow): BulkRowIn {
  return {
    line: row.line,
    sku: row.sku,
    price: row.price,
    currency: row.currency,
    quantity: row.quantity,
    handlingTime: row.handling_time,
  }
}
