import { useState } from 'react'

import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { cn } from '@/lib/utils'
import { formatRange, PRESETS, rangeProblem, type DateRange, type RangeChoice } from '../range'

interface Props {
  value: RangeChoice
  /** The days the choice stands for now (a preset ends today in the profile's time zone). */
  range: DateRange
  onChange: (choice: RangeChoice) => void
}

/** The last 7, 30 or 90 days, or any range of local days (both included). */
export function DateRangePicker({ value, range, onChange }: Props) {
  const [editing, setEditing] = useState(value.preset === 'custom')
  const [draft, setDraft] = useState<DateRange>(range)
  const [problem, setProblem] = useState<string | null>(null)

  const apply = () => {
    const issue = rangeProblem(draft)
    setProblem(issue)
    if (!issue) onChange({ preset: 'custom', ...draft })
  }
  const segment = (active: boolean) =>
    cn('rounded-none first:rounded-l-md last:rounded-r-md', active && 'bg-accent text-accent-foreground font-semibold')

  return (
    <div className="space-y-1.5">
      <Label id="ads-range-label">Date range</Label>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
        <div role="group" aria-labelledby="ads-range-label" className="inline-flex -space-x-px">
          {PRESETS.map((days) => (
            <Button
              key={days}
              type="button"
              variant="outline"
              size="sm"
              className={segment(!editing && value.preset === days)}
              aria-pressed={!editing && value.preset === days}
              onClick={() => {
                setEditing(false)
                setProblem(null)
                onChange({ preset: days })
              }}
            >
              {days} days
            </Button>
          ))}
          <Button
            type="button"
            variant="outline"
            size="sm"
            className={segment(editing)}
            aria-pressed={editing}
            onClick={() => {
              setDraft(range)
              setEditing(true)
            }}
          >
            Custom
          </Button>
        </div>
        <span className="text-muted-foreground text-xs tabular-nums" data-testid="ads-range">
          {formatRange(range)}
        </span>
      </div>
      {editing ? (
        <form
          aria-label="Custom range"
          // The limits grey out days in the browser's calendar; a wrong range gets our message, not the browser's.
          noValidate
          className="flex flex-wrap items-end gap-2 pt-1"
          onSubmit={(e) => {
            e.preventDefault()
            apply()
          }}
        >
          <div className="space-y-1">
            <Label htmlFor="ads-start" className="text-xs">
              From
            </Label>
            <Input id="ads-start" type="date" className="h-8 w-40" value={draft.start} max={draft.end || undefined}
              onChange={(e) => setDraft({ ...draft, start: e.target.value })} />
          </div>
          <div className="space-y-1">
            <Label htmlFor="ads-end" className="text-xs">
              To
            </Label>
            <Input id="ads-end" type="date" className="h-8 w-40" value={draft.end} min={draft.start || undefined}
              onChange={(e) => setDraft({ ...draft, end: e.target.value })} />
          </div>
          <Button type="submit" size="sm">
            Apply
          </Button>
          {problem ? (
            <p className="text-destructive w-full text-xs" role="alert">
              {problem}
            </p>
          ) : null}
        </form>
      ) : null}
    </div>
  )
}
