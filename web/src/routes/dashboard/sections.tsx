import { FileSpreadsheet, Megaphone, Upload } from 'lucide-react'

import { SectionPlaceholder } from './SectionPlaceholder'

export function ReportsPage() {
  return (
    <SectionPlaceholder
      title="Reports"
      description="Request Amazon reports, watch their progress and download the documents."
      icon={FileSpreadsheet}
      emptyTitle="No reports requested"
      emptyDescription="Reports you create for this tenant will be listed here."
    />
  )
}

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
