import { AlertTriangle } from 'lucide-react'

import { bareMessage, issueWhere } from '../format'
import type { FeedIssueOut } from '../types'

/** Beyond this many, the list says how many more there are instead of growing the page. */
const SHOWN = 200

/** What is wrong, line by line, as the API said it (a sentence each). */
export function FeedIssues({ issues, title, testId = 'feed-issues' }: { issues: FeedIssueOut[]; title: string; testId?: string }) {
  if (issues.length === 0) return null
  const shown = issues.slice(0, SHOWN)
  return (
    <div className="border-destructive/40 bg-destructive/5 space-y-2 rounded-lg border p-3" data-testid={testId} role="alert">
      <p className="text-destructive flex items-center gap-1.5 text-sm font-medium">
        <AlertTriangle className="size-4" aria-hidden />
        {title}
      </p>
      <ul className="max-h-64 space-y-1 overflow-auto text-sm" aria-label={title}>
        {shown.map((issue, i) => (
          <li key={i} data-testid="feed-issue" data-line={issue.line ?? ''} data-field={issue.field ?? ''}>
            <span className="font-mono text-xs font-medium">{issueWhere(issue)}</span>
            <span className="text-muted-foreground">: </span>
            {bareMessage(issue)}
          </li>
        ))}
      </ul>
      {issues.length > SHOWN ? (
        <p className="text-muted-foreground text-xs">and {(issues.length - SHOWN).toLocaleString()} more</p>
      ) : null}
    </div>
  )
}
