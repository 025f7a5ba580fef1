import { Label } from '@/components/ui/label'

import { SELECT } from '../sellers'

export interface SelectOption {
  value: string
  label: string
}

/** A labelled native select: the connection and marketplace pickers of every Reports form. */
export function SelectField({
  id,
  label,
  value,
  options,
  onChange,
  anyLabel,
}: {
  id: string
  label: string
  value: string
  options: SelectOption[]
  onChange: (value: string) => void
  /** When given, a first option with the empty value ("All ..."). */
  anyLabel?: string
}) {
  return (
    <div className="space-y-1.5">
      <Label htmlFor={id}>{label}</Label>
      <select id={id} className={SELECT} value={value} onChange={(e) => onChange(e.target.value)}>
        {anyLabel !== undefined ? <option value="">{anyLabel}</option> : null}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  )
}
