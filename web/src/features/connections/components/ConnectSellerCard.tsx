import { useState } from 'react'
import { Loader2, Store } from 'lucide-react'

import { ErrorState } from '@/components/common/ErrorState'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from '@/components/ui/card'
import { Label } from '@/components/ui/label'
import { Skeleton } from '@/components/ui/skeleton'
import { useMarketplaces, useStartSpOAuth, type Region } from '../api'
import { RegionSelect } from './RegionSelect'

const DEFAULT_MARKETPLACE: Record<Region, string> = {
  NA: 'ATVPDKIKX0DER',
  EU: 'A1PA6795UKMFR9',
  FE: 'A1VC38T7YXB528',
}

/** Region and marketplaces, then off to Seller Central's consent page. */
export function ConnectSellerCard({ tenantId, canConnect }: { tenantId: string; canConnect: boolean }) {
  const marketplaces = useMarketplaces()
  const start = useStartSpOAuth(tenantId)
  const [region, setRegion] = useState<Region>('NA')
  const [selected, setSelected] = useState<string[]>([DEFAULT_MARKETPLACE.NA])
  const inRegion = (marketplaces.data ?? []).filter((m) => m.region === region)

  const changeRegion = (next: Region) => {
    setRegion(next)
    setSelected([DEFAULT_MARKETPLACE[next]])
  }
  const toggle = (id: string, on: boolean) =>
    setSelected((current) => (on ? [...current, id] : current.filter((m) => m !== id)))

  return (
    <Card>
      <CardHeader>
        <div className="bg-muted mb-2 flex size-10 items-center justify-center rounded-lg">
          <Store className="size-5" aria-hidden />
        </div>
        <CardTitle>Selling Partner API</CardTitle>
        <CardDescription>Orders, reports, feeds and notifications for a seller account.</CardDescription>
      </CardHeader>
      <CardContent className="space-y-4">
        <div className="grid gap-2">
          <Label htmlFor="sp-region">Region</Label>
          <RegionSelect id="sp-region" value={region} onChange={changeRegion} />
        </div>
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium">Marketplaces to sync</legend>
          {marketplaces.isPending ? <Skeleton className="h-16 w-full" /> : null}
          {marketplaces.isError ? <ErrorState error={marketplaces.error} title="Could not load marketplaces" /> : null}
          <div className="grid grid-cols-2 gap-2 sm:grid-cols-3">
            {inRegion.map((m) => (
              <label key={m.id} className="flex items-center gap-2 rounded-md border p-2 text-sm" title={m.id}>
                <input
                  type="checkbox"
                  className="accent-primary size-4"
                  checked={selected.includes(m.id)}
                  onChange={(e) => toggle(m.id, e.target.checked)}
                  aria-label={`${m.name} (${m.country_code})`}
                />
                <span className="font-medium">{m.country_code}</span>
                <span className="text-muted-foreground truncate text-xs">{m.name}</span>
              </label>
            ))}
          </div>
        </fieldset>
        {start.error ? <ErrorState error={start.error} title="Could not start the authorization" /> : null}
      </CardContent>
      <CardFooter className="flex-col items-start gap-2">
        <Button
          onClick={() => start.mutate({ region, marketplaces: selected })}
          disabled={!canConnect || start.isPending || selected.length === 0}
        >
          {start.isPending ? <Loader2 className="animate-spin" aria-hidden /> : null}
          Connect Amazon
        </Button>
        {canConnect ? null : (
          <p className="text-muted-foreground text-xs">Only owners and admins can connect accounts.</p>
        )}
      </CardFooter>
    </Card>
  )
}
