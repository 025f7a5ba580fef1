import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { totalCalls, type OperationCalls } from '../api'

const number = new Intl.NumberFormat('en-US')

/** Amazon calls the connection spent today (UTC), per operation, with the 429s among them. */
export function CallsTable({ calls }: { calls: OperationCalls[] }) {
  if (calls.length === 0) {
    return <p className="text-muted-foreground text-sm">No Amazon calls today.</p>
  }
  return (
    <Table aria-label="Amazon calls today">
      <TableHeader>
        <TableRow>
          <TableHead>Operation</TableHead>
          <TableHead className="text-right">Calls</TableHead>
          <TableHead className="text-right">429s</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {calls.map((row) => (
          <TableRow key={`${row.service}:${row.operation}`} data-testid="health-calls" data-operation={row.operation}>
            <TableCell className="font-mono text-xs">{row.operation}</TableCell>
            <TableCell className="text-right text-sm tabular-nums">{number.format(row.calls)}</TableCell>
            <TableCell className="text-right text-sm tabular-nums">{number.format(row.throttled)}</TableCell>
          </TableRow>
        ))}
        <TableRow>
          <TableCell className="text-sm font-medium">Total</TableCell>
          <TableCell className="text-right text-sm font-medium tabular-nums" data-testid="health-calls-total">
            {number.format(totalCalls(calls))}
          </TableCell>
          <TableCell />
        </TableRow>
      </TableBody>
    </Table>
  )
}
