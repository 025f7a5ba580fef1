import { Check, Loader2 } from 'lucide-react'

import { Progress } from '@/components/ui/progress'
import { cn } from '@/lib/utils'
import { isActive } from '../api'
import { progressOf, STEPS, stepStates } from '../format'
import type { FeedOut } from '../types'

/** The feed's way through our steps and Amazon's (IN_QUEUE, IN_PROGRESS, DONE), the current one marked. */
export function FeedProgress({ feed }: { feed: FeedOut }) {
  const progress = progressOf(feed)
  const states = stepStates(feed)
  const failed = !isActive(feed) && feed.status !== 'done' && feed.status !== 'draft'
  return (
    <div className="space-y-2" data-testid="feed-progress">
      <Progress value={progress.value} aria-label="Progress of the feed" />
      <ol className="flex flex-wrap gap-x-4 gap-y-1 text-xs" aria-label="Steps">
        {STEPS.map((step, i) => {
          const state = failed && i === STEPS.length - 1 ? 'todo' : states[i]
          return (
            <li
              key={step.key}
              data-step={step.key}
              data-state={state}
              aria-current={state === 'current' ? 'step' : undefined}
              className={cn(
                'flex items-center gap-1',
                state === 'done' && 'text-foreground',
                state === 'current' && 'text-primary font-medium',
                state === 'todo' && 'text-muted-foreground',
              )}
            >
              {state === 'done' ? <Check className="size-3" aria-hidden /> : null}
              {state === 'current' ? <Loader2 className="size-3 animate-spin" aria-hidden /> : null}
              {step.label}
            </li>
          )
        })}
      </ol>
      {isActive(feed) ? (
        <p className="text-muted-foreground text-xs" aria-live="polite" data-testid="feed-progress-label">
          {progress.label}
          {feed.processing_status ? ` (${feed.processing_status})` : null}
        </p>
      ) : null}
    </div>
  )
}
