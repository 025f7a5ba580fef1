import { useState } from 'react'
import { Trash2 } from 'lucide-react'

import { ErrorState } from '@/components/common/ErrorState'
import { Button } from '@/components/ui/button'
import { useDeleteConnection } from '../api'

/** For disconnected accounts: delete the connection and everything synced for it. */
export function DeleteDataButton({ tenantId, connectionId }: { tenantId: string; connectionId: string }) {
  const remove = useDeleteConnection(tenantId)
  const [confirming, setConfirming] = useState(false)

  if (!confirming) {
    return (
      <Button variant="ghost" onClick={() => setConfirming(true)}>
        <Trash2 aria-hidden />
        Delete data
      </Button>
    )
  }
  return (
    <div className="flex w-full flex-wrap items-center gap-2">
      <Button variant="destructive" disabled={remove.isPending} onClick={() => remove.mutate(connectionId)}>
        Delete the account and its synced data
      </Button>
      <Button variant="ghost" onClick={() => setConfirming(false)}>
        Keep it
      </Button>
      {remove.error ? <ErrorState error={remove.error} title="Could not delete" className="w-full" /> : null}
    </div>
  )
}
