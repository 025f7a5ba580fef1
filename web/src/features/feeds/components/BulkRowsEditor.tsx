import { Trash2 } from 'lucide-react'

import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { BULK_COLUMNS, COLUMN_LABELS, issuesByLine, MAX_EDITABLE, type BulkColumn, type BulkRow } from '../bulk-rows'
import type { FeedIssueOut } from '../types'

interface Props {
  rows: BulkRow[]
  lines: number[]
  issues: FeedIssueOut[]
  disabled: boolean
  onEdit: (line: number, column: BulkColumn, value: string) => void
  onRemove: (line: number) => void
}

/** The rows that had an issue, one input per column; the cell at fault says why. */
export function BulkRowsEditor({ rows, lines, issues, disabled, onEdit, onRemove }: Props) {
  const byLine = issuesByLine(issues)
  const wanted = new Set(lines.slice(0, MAX_EDITABLE))
  const shown = rows.filter((r) => wanted.has(r.line))
  if (shown.length === 0) return null
  return (
    <div className="space-y-2">
      <Table aria-label="Rows to fix" data-testid="bulk-editor">
        <TableHeader>
          <TableRow>
            <TableHead className="w-16">Line</TableHead>
            {BULK_COLUMNS.map((c) => (
              <TableHead key={c}>{COLUMN_LABELS[c]}</TableHead>
            ))}
            <TableHead className="w-10">
              <span className="sr-only">Remove</span>
            </TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {shown.map((row) => {
            const problems = byLine.get(row.line)
            const whole = problems?.get('') ?? []
            return (
              <TableRow key={row.line} data-testid="bulk-edit-row" data-line={row.line} data-state={problems ? 'invalid' : 'fixed'}>
                <TableCell className="align-top font-mono text-xs">
                  {row.line}
                  {whole.length ? <p className="text-destructive mt-1 font-sans whitespace-normal">{whole.join(' ')}</p> : null}
                </TableCell>
                {BULK_COLUMNS.map((column) => {
                  const messages = problems?.get(column) ?? []
                  const errorId = `bulk-${row.line}-${column}-error`
                  return (
                    <TableCell key={column} className={column === 'sku' ? 'min-w-48 align-top' : 'min-w-24 align-top'}>
                      <Input
                        aria-label={`${COLUMN_LABELS[column]}, line ${row.line}`}
                        aria-invalid={messages.length > 0 || undefined}
                        aria-describedby={messages.length ? errorId : undefined}
                        className="h-8 font-mono text-xs"
                        value={row[column]}
                        disabled={disabled}
                        onChange={(e) => onEdit(row.line, column, e.target.value)}
                      />
                      {messages.length ? (
                        <p id={errorId} className="text-destructive mt-1 text-xs whitespace-normal">
                          {messages.join(' ')}
                        </p>
                      ) : null}
                    </TableCell>
                  )
                })}
                <TableCell className="align-top">
                  <Button
                    type="button"
                    variant="ghost"
                    size="icon"
                    aria-label={`Remove line ${row.line}`}
                    disabled={disabled}
                    onClick={() => onRemove(row.line)}
                  >
                    <Trash2 aria-hidden />
                  </Button>
                </TableCell>
              </TableRow>
            )
          })}
        </TableBody>
      </Table>
      {lines.length > MAX_EDITABLE ? (
        <p className="text-muted-foreground text-xs">
          The first {MAX_EDITABLE} of {lines.length.toLocaleString()} lines with issues are shown: with this many, fixing the file and
          uploading it again is quicker.
        </p>
      ) : null}
    </div>
  )
}
