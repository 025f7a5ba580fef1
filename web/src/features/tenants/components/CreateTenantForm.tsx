import { useState, type FormEvent } from 'react'
import { Loader2, Plus } from 'lucide-react'
import { useNavigate } from 'react-router'

import { ErrorState } from '@/components/common/ErrorState'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { useCreateTenant } from '../api'

/** Name a tenant and open it: the creator becomes its owner. */
export function CreateTenantForm() {
  const navigate = useNavigate()
  const create = useCreateTenant()
  const [name, setName] = useState('')

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    create.mutate(name.trim(), {
      onSuccess: (tenant) => {
        setName('')
        void navigate(`/dashboard/tenants/${tenant.id}`)
      },
    })
  }

  return (
    <form onSubmit={onSubmit} className="space-y-3" aria-label="Create a tenant">
      <div className="flex flex-col gap-2 sm:flex-row sm:items-end">
        <div className="grid flex-1 gap-2">
          <Label htmlFor="tenant-name">New tenant</Label>
          <Input
            id="tenant-name"
            placeholder="Client or brand name"
            required
            maxLength={200}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <Button type="submit" disabled={create.isPending || name.trim() === ''}>
          {create.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <Plus aria-hidden />}
          Create tenant
        </Button>
      </div>
      {create.error ? <ErrorState error={create.error} title="Could not create the tenant" /> : null}
    </form>
  )
}
