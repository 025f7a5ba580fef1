import { useState, type FormEvent } from 'react'
import { FilePlus2, Loader2 } from 'lucide-react'

import { ErrorState } from '@/components/common/ErrorState'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Label } from '@/components/ui/label'
import { useCreateReport } from '../api'
import { connectionLabel, pickSeller, SELECT, useSellerAccounts } from '../sellers'
import { SelectField } from './SelectField'
import type { ReportKindOut } from '../types'
import { dataTimes, defaultRange, earliestDay, todayUtc, validateDates } from '../validation'
import { DateField } from './DateField'

interface Props {
  tenantId: string
  /** The catalogue's requestable types. */
  kinds: ReportKindOut[]
}

/** Ask Amazon for a report: the type's date limits are checked here before the request is sent. */
export function ReportRequestForm({ tenantId, kinds }: Props) {
  const { sellers, marketplaceName } = useSellerAccounts(tenantId)
  const create = useCreateReport(tenantId)
  const today = todayUtc()
  const [picked, setPicked] = useState({ connection: '', marketplace: '', type: '' })
  const [from, setFrom] = useState(() => defaultRange(kinds[0] ?? null, today).from)
  const [to, setTo] = useState(() => defaultRange(kinds[0] ?? null, today).to)
  const [submitted, setSubmitted] = useState(false)

  const { connection, marketplaces, marketplace } = pickSeller(sellers, picked.connection, picked.marketplace)
  const kind = kinds.find((k) => k.report_type === picked.type) ?? kinds[0] ?? null
  const errors = kind ? validateDates(kind, from, to, today) : {}
  // A range problem shows as soon as both days are set; a missing day only once the user tries to send.
  const shown = {
    from: submitted || from ? errors.from : undefined,
    to: submitted || to ? errors.to : undefined,
  }

  const onType = (reportType: string) => {
    setPicked((p) => ({ ...p, type: reportType }))
    // A range that no longer fits the new type starts again from the type's default.
    const next = kinds.find((k) => k.report_type === reportType)
    const problems = next ? validateDates(next, from, to, today) : {}
    if (next && (problems.from || problems.to)) {
      const range = defaultRange(next, today)
      setFrom(range.from)
      setTo(range.to)
    }
  }

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    setSubmitted(true)
    if (!kind || !connection || !marketplace || errors.from || errors.to) return
    create.mutate({
      connectionId: connection.id,
      reportType: kind.report_type,
      marketplaceIds: [marketplace],
      ...(kind.needs_dates ? dataTimes(from, to) : {}),
    })
  }

  if (sellers.length === 0) {
    return (
      <Card>
        <CardHeader>
          <CardTitle>Request a report</CardTitle>
          <CardDescription>Connect a seller account first: reports are requested from its marketplaces.</CardDescription>
        </CardHeader>
      </Card>
    )
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Request a report</CardTitle>
        <CardDescription>Amazon prepares the report in a few minutes; it appears below as soon as it is ready.</CardDescription>
      </CardHeader>
      <CardContent>
        <form aria-label="Request a report" className="space-y-4" noValidate onSubmit={onSubmit}>
          <div className="grid gap-3 md:grid-cols-3">
            <SelectField
              id="report-connection"
              label="Connection"
              value={connection?.id ?? ''}
              options={sellers.map((c) => ({ value: c.id, label: connectionLabel(c) }))}
              onChange={(value) => setPicked((p) => ({ ...p, connection: value, marketplace: '' }))}
            />
            <SelectField
              id="report-marketplace"
              label="Marketplace"
              value={marketplace}
              options={marketplaces.map((id) => ({ value: id, label: marketplaceName(id) }))}
              onChange={(value) => setPicked((p) => ({ ...p, marketplace: value }))}
            />
            <div className="space-y-1.5">
              <Label htmlFor="report-type">Report type</Label>
              <select
                id="report-type"
                className={SELECT}
                value={kind?.report_type ?? ''}
                aria-describedby="report-type-description"
                onChange={(e) => onType(e.target.value)}
              >
                {kinds.map((k) => (
                  <option key={k.report_type} value={k.report_type}>
                    {k.title}
                  </option>
                ))}
              </select>
            </div>
          </div>
          {kind ? (
            <p id="report-type-description" className="text-muted-foreground text-sm" data-testid="report-type-description">
              {kind.description}
              {kind.needs_dates ? null : ' A snapshot of today: no dates to choose.'}
              {kind.max_range_days ? ` Up to ${kind.max_range_days} days per request.` : null}
            </p>
          ) : null}
          {kind?.needs_dates ? (
            <div className="grid gap-3 md:grid-cols-3">
              <DateField
                id="report-from"
                label="From"
                value={from}
                min={earliestDay(kind, today) ?? undefined}
                max={to || today}
                error={shown.from}
                onChange={setFrom}
              />
              <DateField id="report-to" label="To" value={to} min={from || undefined} max={today} error={shown.to} onChange={setTo} />
            </div>
          ) : null}
          <Button type="submit" disabled={create.isPending || !kind || !marketplace}>
            {create.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <FilePlus2 aria-hidden />}
            Request report
          </Button>
          {create.isError ? (
            <div data-testid="report-form-error">
              <ErrorState error={create.error} title="Could not request the report" />
            </div>
          ) : null}
          {create.isSuccess && !create.isPending ? (
            <p role="status" className="text-muted-foreground text-sm">
              Requested: follow it in the list below.
            </p>
          ) : null}
        </form>
      </CardContent>
    </Card>
  )
}
