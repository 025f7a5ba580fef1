import { Megaphone, Plug, Store } from 'lucide-react'

import { EmptyState } from '@/components/common/EmptyState'
import { PageHeader } from '@/components/common/PageHeader'
import { Button } from '@/components/ui/button'
import {
  Card,
  CardContent,
  CardDescription,
  CardFooter,
  CardHeader,
  CardTitle,
} from '@/components/ui/card'

const PROVIDERS = [
  {
    icon: Store,
    title: 'Selling Partner API',
    description: 'Orders, reports, feeds and notifications for a seller account.',
    action: 'Connect with Amazon',
  },
  {
    icon: Megaphone,
    title: 'Amazon Ads',
    description: 'Sponsored Products metrics per product: spend, sales, ACOS, ROAS.',
    action: 'Connect Ads',
  },
]

export function AmazonIntegrationPage() {
  return (
    <>
      <PageHeader
        title="Amazon integration"
        description="Authorize seller accounts and advertising profiles for this tenant."
      />
      <div className="grid gap-4 md:grid-cols-2">
        {PROVIDERS.map(({ icon: Icon, title, description, action }) => (
          <Card key={title}>
            <CardHeader>
              <div className="bg-muted mb-2 flex size-10 items-center justify-center rounded-lg">
                <Icon className="size-5" aria-hidden />
              </div>
              <CardTitle>{title}</CardTitle>
              <CardDescription>{description}</CardDescription>
            </CardHeader>
            <CardFooter>
              <Button disabled title="Available soon">
                {action}
              </Button>
            </CardFooter>
          </Card>
        ))}
      </div>
      <Card className="mt-6">
        <CardHeader>
          <CardTitle>Connected accounts</CardTitle>
          <CardDescription>Each account's region, marketplaces and token health.</CardDescription>
        </CardHeader>
        <CardContent>
          <EmptyState icon={Plug} title="No accounts connected" description="Connect an account above to start syncing." />
        </CardContent>
      </Card>
    </>
  )
}
