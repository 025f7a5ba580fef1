import { TableCell } from '@/components/ui/table'
import { COLUMNS, formatted } from '../columns'
import type { AdsProductRow } from '../types'

/** The figure cells of one row; each carries its column and the API's raw value for tests and copy. */
export function MetricCells({ row, currency }: { row: AdsProductRow; currency: string | null }) {
  return COLUMNS.map(({ key, kind }) => {
    const value = row[key]
    return (
      <TableCell key={key} className="text-right tabular-nums whitespace-nowrap" data-col={key} data-value={value ?? ''}>
        {formatted(kind, value, currency)}
      </TableCell>
    )
  })
}
