import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { cn } from '@/lib/utils'
import { formatCell, isNumeric } from '../format'
import type { RowColumn, RowValue } from '../types'

interface Props {
  title: string
  columns: RowColumn[]
  rows: Record<string, RowValue>[]
}

/** The parsed rows with the columns the API describes, each cell formatted by its column's type. */
export function RowsTable({ title, columns, rows }: Props) {
  return (
    <Table aria-label={`${title} rows`} data-testid="report-rows">
      <TableHeader>
        <TableRow>
          {columns.map((c) => (
            <TableHead key={c.key} data-column={c.key} className={cn(isNumeric(c) && 'text-right')}>
              {c.label}
            </TableHead>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((row, i) => (
          <TableRow key={i} data-testid="report-data-row">
            {columns.map((c) => (
              <TableCell
                key={c.key}
                data-column={c.key}
                className={cn('text-xs', isNumeric(c) && 'text-right tabular-nums', c.type === 'text' && 'max-w-72 truncate')}
              >
                {formatCell(c, row)}
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  )
}
