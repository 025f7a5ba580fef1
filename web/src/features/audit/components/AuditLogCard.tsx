import { History } from 'lucide-react'

import { EmptyState } from '@/components/common/EmptyState'
import { ErrorState } from '@/components/common/ErrorState'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useAuditLog, type AuditEntry } from '../api'
import { describeAuditEntry } from '../describe'

function when(entry: AuditEntry) {
  return new Date(entry.created_at).toLocaleString()
}

export function AuditLogCard({ tenantId }: { tenantId: string }) {
  const log = useAuditLog(tenantId)
  return (
    <Card>
      <CardHeader>
        <CardTitle>Audit log</CardTitle>
        <CardDescription>Connections, members, roles and settings: who changed what, and when.</CardDescription>
      </CardHeader>
      <CardContent>
        {log.isPending ? <Skeleton className="h-32 w-full" /> : null}
        {log.isError ? <ErrorState error={log.error} title="Could not load the audit log" /> : null}
        {log.data && log.data.items.length === 0 ? (
          <EmptyState icon={History} title="Nothing recorded yet" className="py-8" />
        ) : null}
        {log.data && log.data.items.length > 0 ? (
          <Table aria-label="Audit log">
            <TableHeader>
              <TableRow>
                <TableHead>When</TableHead>
                <TableHead>Who</TableHead>
                <TableHead>What</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {log.data.items.map((entry) => (
                <TableRow key={entry.id} data-action={entry.action}>
                  <TableCell className="text-muted-foreground text-xs whitespace-nowrap">{when(entry)}</TableCell>
                  <TableCell className="text-sm">{entry.actor_email ?? 'System'}</TableCell>
                  <TableCell className="text-sm whitespace-normal">{describeAuditEntry(entry)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        ) : null}
      </CardContent>
    </Card>
  )
}
