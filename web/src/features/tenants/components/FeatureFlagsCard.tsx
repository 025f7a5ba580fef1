import { ErrorState } from '@/components/common/ErrorState'
import { Badge } from '@/components/ui/badge'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { useFlags, useUpdateFlags } from '../api'

export function FeatureFlagsCard({ tenantId, canEdit }: { tenantId: string; canEdit: boolean }) {
  const flags = useFlags(tenantId)
  const update = useUpdateFlags(tenantId)

  return (
    <Card>
      <CardHeader>
        <CardTitle>Feature flags</CardTitle>
        <CardDescription>Per-tenant switches; unset flags follow the installation&apos;s environment.</CardDescription>
      </CardHeader>
      <CardContent className="space-y-3">
        {flags.isPending ? <Skeleton className="h-12 w-full" /> : null}
        {flags.isError ? <ErrorState error={flags.error} title="Could not load the flags" /> : null}
        {flags.data?.map((flag) => (
          <div key={flag.key} className="flex items-start gap-3 rounded-lg border p-3">
            <input
              id={`flag-${flag.key}`}
              type="checkbox"
              role="switch"
              aria-checked={flag.value}
              className="accent-primary mt-1 size-4"
              checked={flag.value}
              disabled={!canEdit || update.isPending}
              onChange={(e) => update.mutate({ [flag.key]: e.target.checked })}
            />
            <div className="min-w-0 flex-1 space-y-1">
              <label htmlFor={`flag-${flag.key}`} className="font-mono text-sm font-medium">
                {flag.env_var}
              </label>
              <p className="text-muted-foreground text-xs">{flag.description}</p>
              <div className="flex flex-wrap items-center gap-2 text-xs">
                <Badge variant={flag.value ? 'default' : 'outline'}>{flag.value ? 'On' : 'Off'}</Badge>
                <span className="text-muted-foreground">
                  {flag.overridden ? 'Set for this tenant' : 'Environment default'} (default{' '}
                  {flag.default ? 'on' : 'off'})
                </span>
                {flag.overridden && canEdit ? (
                  <button
                    type="button"
                    className="underline underline-offset-2"
                    onClick={() => update.mutate({ [flag.key]: null })}
                  >
                    Use default
                  </button>
                ) : null}
              </div>
            </div>
          </div>
        ))}
        {update.error ? <ErrorState error={update.error} title="Could not change the flag" /> : null}
      </CardContent>
    </Card>
  )
}
