import { Activity, Clock, Plug, ShoppingCart } from 'lucide-react'
import { useParams } from 'react-router'

import { EmptyState } from '@/components/common/EmptyState'
import { PageHeader } from '@/components/common/PageHeader'
import { Badge } from '@/components/ui/badge'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Table, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { StatCard } from './StatCard'

export function TenantOverviewPage() {
  const { id = '' } = useParams()
  return (
    <>
      <PageHeader
        title="Overview"
        description="Sync status, feature flags and recent jobs for this tenant."
        actions={<Badge variant="secondary" className="font-mono">{id}</Badge>}
      />
      <div className="grid grid-cols-2 gap-3 sm:gap-4 xl:grid-cols-4">
        <StatCard label="Connected accounts" value="—" hint="Seller and Ads accounts" icon={Plug} />
        <StatCard label="Orders synced" value="—" hint="Last 24 months" icon={ShoppingCart} />
        <StatCard label="Last sync" value="—" hint="Across all marketplaces" icon={Clock} />
        <StatCard label="Sync interval" value="—" hint="Delta every N minutes" icon={Activity} />
      </div>
      <div className="mt-6 grid gap-4 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <CardHeader>
            <CardTitle>Recent jobs</CardTitle>
            <CardDescription>Sync runs with their Amazon request ids.</CardDescription>
          </CardHeader>
          <CardContent className="space-y-4">
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Job</TableHead>
                  <TableHead>Marketplace</TableHead>
                  <TableHead>Status</TableHead>
                  <TableHead className="text-right">Started</TableHead>
                </TableRow>
              </TableHeader>
            </Table>
            <EmptyState title="No jobs yet" description="Jobs appear once an Amazon account is connected." />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Feature flags</CardTitle>
            <CardDescription>Per-tenant switches (reports vs Data Kiosk, Ads).</CardDescription>
          </CardHeader>
          <CardContent>
            <EmptyState title="No flags loaded" className="py-8" />
          </CardContent>
        </Card>
      </div>
    </>
  )
}
