import { Megaphone } from 'lucide-react'

import { SectionPlaceholder } from './SectionPlaceholder'

export function AdsPage() {
  return (
    <SectionPlaceholder
      title="Ads"
      description="Sponsored Products metrics per product: spend vs sales and ACOS over time."
      icon={Megaphone}
      emptyTitle="No advertising data"
      emptyDescription="Connect an Amazon Ads profile to see campaign metrics here."
    />
  )
}
