import { Megaphone, Upload } from 'lucide-react'

import { SectionPlaceholder } from './SectionPlaceholder'

export function FeedsPage() {
  return (
    <SectionPlaceholder
      title="Feeds"
      description="Upload a feed document, submit it to Amazon and follow its processing."
      icon={Upload}
      emptyTitle="No feeds submitted"
      emptyDescription="Feeds you upload for this tenant will be listed here with their status."
    />
  )
}

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
