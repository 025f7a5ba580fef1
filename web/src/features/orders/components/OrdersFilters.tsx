import { X } from 'lucide-react'

import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { useMarketplaces } from '@/features/connections/api'
import type { OrderFilters } from '../api'
import { isOrderStatus, ORDER_STATUSES, statusLabel } from '../format'

const SELECT = 'border-input bg-background h-9 w-full rounded-md border px-2 text-sm shadow-xs'

interface Props {
  value: OrderFilters
  onChange: (next: OrderFilters) => void
}

export function OrdersFilters({ value, onChange }: Props) {
  const marketplaces = useMarketplaces()
  const set = (patch: Partial<OrderFilters>) => onChange({ ...value, ...patch })
  const active = Boolean(value.marketplace || value.status || value.from || value.to)
  return (
    <form
      aria-label="Order filters"
      className="grid grid-cols-2 gap-3 md:grid-cols-[repeat(4,minmax(0,1fr))_auto] md:items-end"
      onSubmit={(e) => e.preventDefault()}
    >
      <div className="space-y-1.5">
        <Label htmlFor="orders-marketplace">Marketplace</Label>
        <select
          id="orders-marketplace"
          className={SELECT}
          value={value.marketplace}
          onChange={(e) => set({ marketplace: e.target.value })}
        >
          <option value="">All marketplaces</option>
          {(marketplaces.data ?? []).map((m) => (
            <option key={m.id} value={m.id}>
              {m.name} ({m.country_code})
            </option>
          ))}
        </select>
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="orders-status">Status</Label>
        <select id="orders-status" className={SELECT} value={value.status} onChange={(e) => set({ status: isOrderStatus(e.target.value) ? e.target.value : '' })}>
          <option value="">All statuses</option>
          {ORDER_STATUSES.map((s) => (
            <option key={s} value={s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="orders-from">Purchased from</Label>
        <Input id="orders-from" type="date" value={value.from} max={value.to || undefined} onChange={(e) => set({ from: e.target.value })} />
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="orders-to">Purchased to</Label>
        <Input id="orders-to" type="date" value={value.to} min={value.from || undefined} onChange={(e) => set({ to: e.target.value })} />
      </div>
      <Button
        type="button"
        variant="ghost"
        disabled={!active}
        onClick={() => onChange({ marketplace: '', status: '', from: '', to: '' })}
      >
        <X />
        Clear
      </Button>
    </form>
  )
}
