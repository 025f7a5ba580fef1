import { ChevronLeft, ChevronRight } from 'lucide-react'

import { Button } from '@/components/ui/button'

interface Props {
  page: number
  hasPrevious: boolean
  hasNext: boolean
  busy: boolean
  onPrevious: () => void
  onNext: () => void
}

/** Keyset paging: next follows the API's cursor, previous walks back the cursors already seen. */
export function OrdersPager({ page, hasPrevious, hasNext, busy, onPrevious, onNext }: Props) {
  return (
    <nav aria-label="Pages" className="flex items-center justify-end gap-2">
      <span className="text-muted-foreground text-xs" data-testid="orders-page">
        Page {page}
      </span>
      <Button variant="outline" size="sm" disabled={!hasPrevious || busy} onClick={onPrevious}>
        <ChevronLeft />
        Previous
      </Button>
      <Button variant="outline" size="sm" disabled={!hasNext || busy} onClick={onNext}>
        Next
        <ChevronRight />
      </Button>
    </nav>
  )
}
