import { Trash2 } from 'lucide-react'

import { ErrorState } from '@/components/common/ErrorState'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useDeleteSchedule, useSchedules } from '../api'
import { EVERY_LABELS, formatDateTime } from '../format'
import { useSellerAccounts } from '../sellers'
import type { ReportKindOut } from '../types'
import { ScheduleForm } from './ScheduleForm'

interface Props {
  tenantId: string
  /** The catalogue (for titles); only requestable types can be scheduled. */
  kinds: ReportKindOut[]
  canManage: boolean
}

/** Recurring reports: every member sees them, owners and admins add and delete them. */
export function SchedulesCard({ tenantId, kinds, canManage }: Props) {
  const schedules = useSchedules(tenantId)
  const remove = useDeleteSchedule(tenantId)
  const { marketplaceName } = useSellerAccounts(tenantId)
  const titleOf = (type: string) => kinds.find((k) => k.report_type === type)?.title ?? type
  const rows = schedules.data ?? []
  return (
    <Card data-testid="schedules-card">
      <CardHeader>
        <CardTitle>Schedules</CardTitle>
        <CardDescription>Reports requested again every day, week or month, for the period just ended.</CardDescription>
      </CardHeader>
      <CardContent className="space-y-4">
        {canManage ? <ScheduleForm tenantId={tenantId} kinds={kinds.filter((k) => k.requestable)} /> : null}
        {schedules.isPending ? <Skeleton className="h-16 w-full" /> : null}
        {schedules.isError ? <ErrorState error={schedules.error} title="Could not load the schedules" /> : null}
        {schedules.data && rows.length === 0 ? <p className="text-muted-foreground text-sm">No schedules yet.</p> : null}
        {rows.length > 0 ? (
          <Table aria-label="Report schedules">
            <TableHeader>
              <TableRow>
                <TableHead>Report</TableHead>
                <TableHead>Marketplaces</TableHead>
                <TableHead>Repeat</TableHead>
                <TableHead>Next run</TableHead>
                {canManage ? <TableHead className="sr-only">Actions</TableHead> : null}
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((s) => (
                <TableRow key={s.id} data-testid="schedule-row" data-schedule-id={s.id}>
                  <TableCell>{titleOf(s.report_type)}</TableCell>
                  <TableCell className="text-xs">{s.marketplace_ids.map(marketplaceName).join(', ')}</TableCell>
                  <TableCell className="text-xs">
                    {EVERY_LABELS[s.every]}
                    {s.range_days ? ` · ${s.range_days} days` : null}
                  </TableCell>
                  <TableCell className="text-muted-foreground text-xs">{s.next_run_at ? formatDateTime(s.next_run_at) : '—'}</TableCell>
                  {canManage ? (
                    <TableCell className="text-right">
                      <Button
                        size="sm"
                        variant="ghost"
                        aria-label={`Delete the schedule of ${titleOf(s.report_type)}`}
                        disabled={remove.isPending}
                        onClick={() => remove.mutate(s.id)}
                      >
                        <Trash2 aria-hidden />
                      </Button>
                    </TableCell>
                  ) : null}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        ) : null}
        {remove.isError ? <ErrorState error={remove.error} title="Could not delete the schedule" /> : null}
      </CardContent>
    </Card>
  )
}
