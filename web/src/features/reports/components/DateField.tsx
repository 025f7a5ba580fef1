import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'

interface Props {
  id: string
  label: string
  value: string
  min?: string
  max?: string
  error?: string
  onChange: (value: string) => void
}

/** A date input with its inline message, tied to it for screen readers. */
export function DateField({ id, label, value, min, max, error, onChange }: Props) {
  const messageId = `${id}-error`
  return (
    <div className="space-y-1.5">
      <Label htmlFor={id}>{label}</Label>
      <Input
        id={id}
        type="date"
        value={value}
        min={min}
        max={max}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? messageId : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {error ? (
        <p id={messageId} className="text-destructive text-xs" data-testid={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  )
}
