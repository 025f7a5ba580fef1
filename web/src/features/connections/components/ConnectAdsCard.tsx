import { useState } from 'react'
import { Loader2, Megaphone } from 'lucide-react'

import { ErrorState } from '@/components/common/ErrorState'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from '@/components/ui/card'
import { Label } from '@/components/ui/label'
import { useStartAdsOAuth, type Region } from '../api'
import { RegionSelect } from './RegionSelect'

export function ConnectAdsCard({ tenantId, canConnect }: { tenantId: string; canConnect: boolean }) {
  const start = useStartAdsOAuth(tenantId)
  const [region, setRegion] = useState<Region>('NA')

  return (
    <Card>
      <CardHeader>
        <div className="bg-muted mb-2 flex size-10 items-center justify-center rounded-lg">
          <Megaphone className="size-5" aria-hidden />
        </div>
        <CardTitle>Amazon Ads</CardTitle>
        <CardDescription>
          Sponsored Products metrics per product. Login with Amazon finds the advertising profiles and links each
          one to the seller account of the same marketplace.
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-4">
        <div className="grid gap-2">
          <Label htmlFor="ads-region">Region</Label>
          <RegionSelect id="ads-region" value={region} onChange={setRegion} />
        </div>
        {start.error ? <ErrorState error={start.error} title="Could not start the authorization" /> : null}
      </CardContent>
      <CardFooter>
        <Button onClick={() => start.mutate(region)} disabled={!canConnect || start.isPending} variant="secondary">
          {start.isPending ? <Loader2 className="animate-spin" aria-hidden /> : null}
          Connect Ads
        </Button>
      </CardFooter>
    </Card>
  )
}
