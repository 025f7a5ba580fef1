import type { Failure } from '../api'

function what(failure: Failure) {
  return [failure.type, failure.kind, failure.dataset, failure.scope_id].filter(Boolean).join(' · ')
}

/** The connection's latest failed jobs of the past week. */
export function FailuresList({ failures }: { failures: Failure[] }) {
  if (failures.length === 0) {
    return <p className="text-muted-foreground text-sm">No failures in the past week.</p>
  }
  return (
    <ul className="space-y-2" aria-label="Recent failures">
      {failures.map((failure, index) => (
        <li key={`${failure.at}:${index}`} className="rounded-md border px-3 py-2 text-sm" data-testid="health-failure">
          <p className="text-muted-foreground text-xs">
            {new Date(failure.at).toLocaleString()} · {what(failure)}
          </p>
          <p className="break-words">{failure.error}</p>
        </li>
      ))}
    </ul>
  )
}
