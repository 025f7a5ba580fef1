import { useState } from 'react'

import { useCheckBulk, useParseCsv, useSubmitBulk } from './api'
import { FeedIssuesError } from './http'
import { fromApi, linesWithIssues, mergeLines, removeLine, toApi, updateCell, type BulkColumn, type BulkRow } from './bulk-rows'
import type { BulkCheckOut, BulkFeedIn, FeedIssueOut, FeedOut } from './types'

export interface BulkDraft {
  fileName: string
  rows: BulkRow[]
  /** The issues of the last look (the CSV's, the last check's, or the submit's refusal). */
  issues: FeedIssueOut[]
  /** Lines shown in the editor: every line that had an issue since the file was read. */
  editLines: number[]
  /** The API's last check of exactly these rows for this seller and marketplace; null once anything changed. */
  checked: BulkCheckOut | null
}

export interface Target {
  connectionId: string
  marketplaceId: string
}

function feedBody(target: Target, rows: BulkRow[]): BulkFeedIn {
  return { connectionId: target.connectionId, marketplaceId: target.marketplaceId, rows: rows.map(toApi) }
}

/**
 * A CSV read by the API, fixed here line by line, checked again, then submitted. Submitting needs a check
 * of the rows as they are now with no issue: a change (a cell, the seller, the marketplace) asks for a new one.
 */
export function useBulkDraft(tenantId: string, onSubmitted: (feeds: FeedOut[]) => void) {
  const parse = useParseCsv(tenantId)
  const check = useCheckBulk(tenantId)
  const submit = useSubmitBulk(tenantId)
  const [draft, setDraft] = useState<BulkDraft | null>(null)

  const withIssues = (current: BulkDraft, issues: FeedIssueOut[], checked: BulkCheckOut | null): BulkDraft => ({
    ...current,
    issues,
    editLines: mergeLines(current.editLines, linesWithIssues(current.rows, issues)),
    checked,
  })

  const runCheck = (current: BulkDraft, target: Target) => {
    check.mutate(
      feedBody(target, current.rows),
      { onSuccess: (result) => setDraft((d) => (d && d.rows === current.rows ? withIssues(d, result.issues, result) : d)) },
    )
  }

  const load = (file: File, target: Target | null) => {
    submit.reset()
    check.reset()
    parse.mutate(file, {
      onSuccess: (result) => {
        const rows = result.rows.map(fromApi)
        const next = withIssues({ fileName: file.name, rows, issues: [], editLines: [], checked: null }, result.issues, null)
        setDraft(next)
        // A clean file is checked at once for the chosen marketplace (currency, Amazon's schema).
        if (result.issues.length === 0 && result.rows.length > 0 && target) runCheck(next, target)
      },
      onError: () => setDraft(null),
    })
  }

  const edit = (line: number, column: BulkColumn, value: string) =>
    setDraft((d) => (d ? { ...d, rows: updateCell(d.rows, line, column, value), checked: null } : d))

  const remove = (line: number) =>
    setDraft((d) => (d ? { ...d, rows: removeLine(d.rows, line), editLines: d.editLines.filter((l) => l !== line), checked: null } : d))

  const retarget = () => setDraft((d) => (d ? { ...d, checked: null } : d))

  const send = (target: Target) => {
    if (!draft) return
    submit.mutate(
      feedBody(target, draft.rows),
      {
        onSuccess: (sent) => {
          setDraft(null)
          onSubmitted(sent.feeds)
        },
        onError: (error) => {
          if (error instanceof FeedIssuesError) setDraft((d) => (d ? withIssues(d, error.issues, null) : d))
        },
      },
    )
  }

  const canSubmit = !!draft && draft.rows.length > 0 && !!draft.checked && draft.checked.issues.length === 0
  return {
    draft,
    parse,
    check,
    submit,
    canSubmit,
    load,
    edit,
    remove,
    retarget,
    checkAgain: (target: Target) => (draft ? runCheck(draft, target) : undefined),
    send,
    clear: () => {
      setDraft(null)
      parse.reset()
      check.reset()
      submit.reset()
    },
  }
}
