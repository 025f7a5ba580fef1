/**
 * The Reports API's shapes, from the generated client (`app/reports/schemas.py` and the rows API's
 * `app/reports/rows_schemas.py`). The rest of the feature imports them from here only.
 */
import type { components } from '@/client'

type Schemas = components['schemas']

export type ReportOut = Schemas['ReportOut']
export type ReportsPage = Schemas['ReportsPage']
export type ReportKindOut = Schemas['ReportKindOut']
export type StoredDocumentOut = Schemas['StoredDocumentOut']
export type ScheduleOut = Schemas['ScheduleOut']
export type ReportCreate = Schemas['ReportCreate']
export type ScheduleCreate = Schemas['ScheduleCreate']
export type RowColumn = Schemas['RowColumn']

/** Ours: pending (not yet at Amazon), processing (IN_QUEUE/IN_PROGRESS), then one of the final ones. */
export type ReportStatus = ReportOut['status']
export type ReportVia = ReportOut['via']
export type ReportSource = ReportOut['source']
export type ScheduleEvery = ScheduleOut['every']
export type RowColumnType = RowColumn['type']

/** The rows API documents its values as JSON scalars: decimals as exact strings, dates ISO-8601. */
export type RowValue = string | number | boolean | null

/** `GET /api/reports/data/{report_type}` */
export type RowsPage = Omit<Schemas['ReportRowsPage'], 'rows'> & { rows: Record<string, RowValue>[] }
