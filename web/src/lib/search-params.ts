import { useSearchParams } from 'react-router'

/**
 * The page's query string, and a change to some of its parameters (an empty value removes one). What a page
 * shows lives there, so a reload or a shared link shows it again; a change replaces the history entry
 * instead of adding one per click.
 */
export function usePatchableSearchParams() {
  const [params, setParams] = useSearchParams()
  const patch = (changes: Record<string, string>) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current)
        for (const [key, value] of Object.entries(changes)) {
          if (value) next.set(key, value)
          else next.delete(key)
        }
        return next
      },
      { replace: true },
    )
  return [params, patch] as const
}
