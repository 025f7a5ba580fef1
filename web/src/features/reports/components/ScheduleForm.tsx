import { useState, type FormEvent } from 'react'
import { CalendarPlus, Loader2 } from 'lucide-react'

import { ErrorState } from '@/components/common/ErrorState'
import { Button } from '@/components/ui/button'
import { Label } from '@/components/ui/label'
import { useCreateSchedule } from '../api'
import { EVERY_LABELS } from '../format'
import { connectionLabel, pickSeller, SELECT, useSellerAccounts } from '../sellers'
import { SelectField } from './SelectField'
import type { ReportKindOut, ScheduleEvery } from '../types'

const EVERY = Object.keys(EVERY_LABELS) as ScheduleEvery[]

/** A recurring request: the server picks each run's period (the last day, week or month). */
export function ScheduleForm({ tenantId, kinds }: { tenantId: string; kinds: ReportKindOut[] }) {
  const { sellers, marketplaceName } = useSellerAccounts(tenantId)
  const create = useCreateSchedule(tenantId)
  const [picked, setPicked] = useState({ connection: '', marketplace: '', type: '' })
  const [every, setEvery] = useState<ScheduleEvery>('day')
  const { connection, marketplaces, marketplace } = pickSeller(sellers, picked.connection, picked.marketplace)
  const kind = kinds.find((k) => k.report_type === picked.type) ?? kinds[0] ?? null

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    if (!kind || !connection || !marketplace) return
    create.mutate({ connectionId: connection.id, reportType: kind.report_type, marketplaceIds: [marketplace], every })
  }

  if (sellers.length === 0) return null
  return (
    <form aria-label="Schedule a report" className="space-y-3" onSubmit={onSubmit}>
      <div className="grid gap-3 md:grid-cols-[repeat(4,minmax(0,1fr))_auto] md:items-end">
        <SelectField
          id="schedule-connection"
          label="Schedule connection"
          value={connection?.id ?? ''}
          options={sellers.map((c) => ({ value: c.id, label: connectionLabel(c) }))}
          onChange={(value) => setPicked((p) => ({ ...p, connection: value, marketplace: '' }))}
        />
        <SelectField
          id="schedule-marketplace"
          label="Schedule marketplace"
          value={marketplace}
          options={marketplaces.map((id) => ({ value: id, label: marketplaceName(id) }))}
          onChange={(value) => setPicked((p) => ({ ...p, marketplace: value }))}
        />
        <div className="space-y-1.5">
          <Label htmlFor="schedule-type">Schedule report type</Label>
          <select
            id="schedule-type"
            className={SELECT}
            value={kind?.report_type ?? ''}
            onChange={(e) => setPicked((p) => ({ ...p, type: e.target.value }))}
          >
            {kinds.map((k) => (
              <option key={k.report_type} value={k.report_type}>
                {k.title}
              </option>
            ))}
          </select>
        </div>
        <div className="space-y-1.5">
          <Label htmlFor="schedule-every">Repeat</Label>
          <select
            id="schedule-every"
            className={SELECT}
            value={every}
            onChange={(e) => setEvery(EVERY.find((v) => v === e.target.value) ?? 'day')}
          >
            {EVERY.map((v) => (
              <option key={v} value={v}>
                {EVERY_LABELS[v]}
              </option>
            ))}
          </select>
        </div>
        <Button type="submit" variant="secondary" disabled={create.isPending || !kind}>
          {create.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <CalendarPlus aria-hidden />}
          Add schedule
        </Button>
      </div>
      {create.isError ? (
        <div data-testid="schedule-form-error">
          <ErrorState error={create.error} title="Could not add the schedule" />
        </div>
      ) : null}
    </form>
  )
}
