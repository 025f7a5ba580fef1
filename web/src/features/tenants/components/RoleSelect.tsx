import { cn } from '@/lib/utils'
import { ROLES, type Role } from '../api'

interface RoleSelectProps {
  id?: string
  value: Role
  onChange: (role: Role) => void
  disabled?: boolean
  label: string
  className?: string
}

export function RoleSelect({ id, value, onChange, disabled, label, className }: RoleSelectProps) {
  return (
    <select
      id={id}
      aria-label={label}
      value={value}
      disabled={disabled}
      onChange={(e) => onChange(e.target.value as Role)}
      className={cn(
        'border-input bg-background h-9 rounded-md border px-2 text-sm capitalize shadow-xs disabled:opacity-50',
        className,
      )}
    >
      {ROLES.map((role) => (
        <option key={role} value={role}>
          {role}
        </option>
      ))}
    </select>
  )
}
