import type { LucideIcon } from 'lucide-react'

import { EmptyState } from '@/components/common/EmptyState'
import { PageHeader } from '@/components/common/PageHeader'

interface SectionPlaceholderProps {
  title: string
  description: string
  icon: LucideIcon
  emptyTitle: string
  emptyDescription: string
}

/** A tenant section whose data views are not built yet. */
export function SectionPlaceholder(props: SectionPlaceholderProps) {
  return (
    <>
      <PageHeader title={props.title} description={props.description} />
      <EmptyState icon={props.icon} title={props.emptyTitle} description={props.emptyDescription} />
    </>
  )
}
