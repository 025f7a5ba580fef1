import { useState } from 'react'
import { CheckCircle2, Loader2, RefreshCw, Send, X } from 'lucide-react'

import { ErrorState } from '@/components/common/ErrorState'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { SelectField } from '@/features/reports/components/SelectField'
import { connectionLabel, pickSeller, useSellerAccounts } from '@/features/reports/sellers'
import { FeedIssuesError } from '../http'
import { count, sentAs } from '../format'
import { useBulkDraft, type BulkDraft } from '../bulk-draft'
import type { FeedOut } from '../types'
import { BulkRowsEditor } from './BulkRowsEditor'
import { FeedIssues } from './FeedIssues'

function CheckVerdict({ draft, checking }: { draft: BulkDraft; checking: boolean }) {
  if (checking) {
    return (
      <p className="text-muted-foreground flex items-center gap-1.5 text-sm" role="status">
        <Loader2 className="size-4 animate-spin" aria-hidden />
        Checking {draft.rows.length.toLocaleString()} rows…
      </p>
    )
  }
  if (!draft.checked) {
    return (
      <p className="text-muted-foreground text-sm" data-testid="bulk-verdict">
        {draft.issues.length > 0 ? 'Fix the lines below, then check again.' : 'Check the rows before submitting them.'}
      </p>
    )
  }
  if (draft.checked.issues.length > 0) return null
  return (
    <p className="flex items-center gap-1.5 text-sm text-emerald-700 dark:text-emerald-400" role="status" data-testid="bulk-verdict">
      <CheckCircle2 className="size-4" aria-hidden />
      No issues: {draft.checked.message_count.toLocaleString()} changes ready for Amazon
      {draft.checked.feed_count > 1 ? ` as ${draft.checked.feed_count.toLocaleString()} feeds` : null}
      {draft.checked.schema_checked ? ", checked against Amazon's listings feed schema." : '.'}
    </p>
  )
}

/** The guided path: a CSV of sku, price, currency, quantity (and handling time), fixed here before Amazon sees it. */
export function BulkUpdateCard({ tenantId, onSubmitted }: { tenantId: string; onSubmitted: (feeds: FeedOut[]) => void }) {
  const { sellers, marketplaceName } = useSellerAccounts(tenantId)
  const [picked, setPicked] = useState({ connection: '', marketplace: '' })
  const [fileKey, setFileKey] = useState(0)
  // What the last submit became when Amazon's limit per feed split it (null: one feed, or nothing sent yet).
  const [sent, setSent] = useState<string | null>(null)
  const bulk = useBulkDraft(tenantId, (feeds) => {
    setFileKey((k) => k + 1)
    setSent(sentAs(feeds))
    onSubmitted(feeds)
  })
  const { connection, marketplaces, marketplace } = pickSeller(sellers, picked.connection, picked.marketplace)
  const target = connection && marketplace ? { connectionId: connection.id, marketplaceId: marketplace } : null
  const { draft } = bulk
  const busy = bulk.parse.isPending || bulk.check.isPending || bulk.submit.isPending

  const pick = (next: { connection?: string; marketplace?: string }) => {
    setPicked((p) => ({ ...p, ...next }))
    bulk.retarget()
  }

  if (sellers.length === 0) {
    return (
      <Card>
        <CardHeader>
          <CardTitle>Bulk price &amp; quantity update</CardTitle>
          <CardDescription>Connect a seller account first: feeds change its listings.</CardDescription>
        </CardHeader>
      </Card>
    )
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Bulk price &amp; quantity update</CardTitle>
        <CardDescription>
          A CSV with the columns <code>sku</code>, <code>price</code>, <code>currency</code>, <code>quantity</code> and optionally{' '}
          <code>handling_time</code>. Every line is checked before anything is sent to Amazon.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form aria-label="Bulk price & quantity update" className="space-y-4" noValidate onSubmit={(e) => e.preventDefault()}>
          <div className="grid gap-3 md:grid-cols-3">
            <SelectField
              id="bulk-connection"
              label="Connection"
              value={connection?.id ?? ''}
              options={sellers.map((c) => ({ value: c.id, label: connectionLabel(c) }))}
              onChange={(value) => pick({ connection: value, marketplace: '' })}
            />
            <SelectField
              id="bulk-marketplace"
              label="Marketplace"
              value={marketplace}
              options={marketplaces.map((id) => ({ value: id, label: marketplaceName(id) }))}
              onChange={(value) => pick({ marketplace: value })}
            />
            <div className="space-y-1.5">
              <Label htmlFor="bulk-file">CSV file</Label>
              <Input
                key={fileKey}
                id="bulk-file"
                type="file"
                accept=".csv,.tsv,.txt,text/csv"
                disabled={busy}
                onChange={(e) => {
                  const file = e.target.files?.[0]
                  if (file) {
                    setSent(null)
                    bulk.load(file, target)
                  }
                }}
              />
            </div>
          </div>
          {sent ? (
            <p className="flex items-center gap-1.5 text-sm text-emerald-700 dark:text-emerald-400" role="status" data-testid="bulk-sent">
              <CheckCircle2 className="size-4" aria-hidden />
              {sent}: the first is shown below, the others are in the list of feeds.
            </p>
          ) : null}
          {bulk.parse.isPending ? (
            <p className="text-muted-foreground flex items-center gap-1.5 text-sm" role="status">
              <Loader2 className="size-4 animate-spin" aria-hidden />
              Reading the file…
            </p>
          ) : null}
          {bulk.parse.isError ? <ErrorState error={bulk.parse.error} title="Could not read the file" /> : null}
          {draft ? (
            <div className="space-y-3" data-testid="bulk-draft">
              <p className="text-sm" data-testid="bulk-summary">
                <span className="font-mono">{draft.fileName}</span>: {count(draft.rows.length, 'row')}
                {draft.issues.length > 0
                  ? `, ${count(draft.issues.length, 'issue')} on ${count(new Set(draft.issues.map((i) => i.line)).size, 'line')}`
                  : null}
              </p>
              <FeedIssues issues={draft.issues} title="Fix these before submitting" />
              <BulkRowsEditor
                rows={draft.rows}
                lines={draft.editLines}
                issues={draft.issues}
                disabled={bulk.submit.isPending}
                onEdit={bulk.edit}
                onRemove={bulk.remove}
              />
              <CheckVerdict draft={draft} checking={bulk.check.isPending} />
              {bulk.check.isError ? <ErrorState error={bulk.check.error} title="Could not check the rows" /> : null}
              {bulk.submit.isError && !(bulk.submit.error instanceof FeedIssuesError) ? (
                <ErrorState error={bulk.submit.error} title="Could not submit the feed" />
              ) : null}
              <div className="flex flex-wrap gap-2">
                <Button type="button" variant="outline" disabled={busy || !target || draft.rows.length === 0} onClick={() => target && bulk.checkAgain(target)}>
                  {bulk.check.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <RefreshCw aria-hidden />}
                  Check again
                </Button>
                <Button type="button" disabled={busy || !target || !bulk.canSubmit} onClick={() => target && bulk.send(target)}>
                  {bulk.submit.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <Send aria-hidden />}
                  Submit
                </Button>
                <Button
                  type="button"
                  variant="ghost"
                  disabled={bulk.submit.isPending}
                  onClick={() => {
                    bulk.clear()
                    setFileKey((k) => k + 1)
                  }}
                >
                  <X aria-hidden />
                  Discard
                </Button>
              </div>
            </div>
          ) : null}
        </form>
      </CardContent>
    </Card>
  )
}
