import { Download, Loader2 } from 'lucide-react'

import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Progress } from '@/components/ui/progress'
import { documentUrl, isActive } from '../api'
import { formatBytes, formatDateTime, formatPeriod, progressOf, statusLabel, viaLabel } from '../format'
import type { ReportOut, ReportStatus } from '../types'

const STATUS_VARIANT: Record<ReportStatus, 'default' | 'secondary' | 'destructive' | 'outline'> = {
  pending: 'secondary',
  processing: 'secondary',
  done: 'default',
  cancelled: 'outline',
  fatal: 'destructive',
  error: 'destructive',
}

interface Props {
  tenantId: string
  report: ReportOut
  marketplaceName: (id: string) => string
}

function Progressing({ report }: { report: ReportOut }) {
  const progress = progressOf(report)
  return (
    <div className="space-y-1" data-testid="report-progress">
      <Progress value={progress.value} aria-label={`Progress of ${report.title}`} />
      <p className="text-muted-foreground flex items-center gap-1.5 text-xs" aria-live="polite">
        <Loader2 className="size-3 animate-spin" aria-hidden />
        {progress.label}
        {report.processing_status ? ` (${report.processing_status})` : null}
      </p>
    </div>
  )
}

function Failed({ report }: { report: ReportOut }) {
  return (
    <div className="space-y-1">
      <p className="text-destructive text-sm" data-testid="report-error">
        {report.error ?? (report.status === 'cancelled' ? 'Amazon cancelled the report.' : 'The report failed.')}
      </p>
      {report.error_document ? (
        <details className="text-xs">
          <summary className="cursor-pointer underline-offset-4 hover:underline">Show Amazon&apos;s error document</summary>
          <pre
            className="bg-muted mt-1 max-h-48 overflow-auto rounded-md p-2 font-mono whitespace-pre-wrap"
            data-testid="report-error-document"
          >
            {report.error_document}
          </pre>
        </details>
      ) : null}
    </div>
  )
}

function Done({ tenantId, report }: { tenantId: string; report: ReportOut }) {
  const doc = report.document
  if (!doc) return <p className="text-muted-foreground text-sm">Finished; the document is being stored.</p>
  return (
    <div className="flex flex-wrap items-center gap-3">
      <Button asChild size="sm" variant="outline">
        <a href={documentUrl(tenantId, report.id)} download={doc.file_name} data-testid="report-download">
          <Download aria-hidden />
          Download document
        </a>
      </Button>
      <span className="text-muted-foreground font-mono text-xs" data-testid="report-file">
        {doc.file_name} · {formatBytes(doc.size_bytes)}
      </span>
      {report.rows_loaded !== null ? (
        <span className="text-muted-foreground text-xs" data-testid="report-rows-loaded">
          {report.rows_loaded.toLocaleString()} rows loaded
        </span>
      ) : null}
    </div>
  )
}

/** One request: what was asked, where it stands, and the document once Amazon is done. */
export function ReportRow({ tenantId, report, marketplaceName }: Props) {
  return (
    <li
      className="space-y-2 rounded-lg border p-3"
      data-testid="report-row"
      data-report-id={report.id}
      data-status={report.status}
      aria-label={`${report.title}, ${statusLabel(report.status)}`}
    >
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">{report.title}</span>
        <Badge variant={STATUS_VARIANT[report.status]} data-testid="report-status">
          {statusLabel(report.status)}
        </Badge>
        <Badge variant="outline" className="font-normal" data-testid="report-via">
          {viaLabel(report.via)}
        </Badge>
        {report.source !== 'user' ? (
          <span className="text-muted-foreground text-xs">{report.source === 'schedule' ? 'scheduled' : 'settlement'}</span>
        ) : null}
        <span className="text-muted-foreground ml-auto text-xs">{formatDateTime(report.created_at)}</span>
      </div>
      <p className="text-muted-foreground text-xs">
        <span className="font-mono">{report.report_type}</span> · {report.marketplace_ids.map(marketplaceName).join(', ')} ·{' '}
        {formatPeriod(report.data_start, report.data_end)}
        {report.amazon_id ? <span className="font-mono"> · #{report.amazon_id}</span> : null}
      </p>
      {isActive(report) ? <Progressing report={report} /> : null}
      {report.status === 'done' ? <Done tenantId={tenantId} report={report} /> : null}
      {report.status === 'cancelled' || report.status === 'fatal' || report.status === 'error' ? <Failed report={report} /> : null}
    </li>
  )
}
