import { useEffect, useRef } from 'react'
import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query'

import { apiHeaders } from '@/client'
import { ApiError, isApiErrorBody, toApiError } from '@/lib/api-error'
import type {
  ReportCreate,
  ReportKindOut,
  ReportsPage,
  ReportOut,
  RowsPage,
  ScheduleCreate,
  ScheduleOut,
} from './types'

/*
 * The report routes are not in the generated client yet (the OpenAPI document is regenerated at merge),
 * so these calls go through fetch with the typed client's own headers: cookies, JSON, the CSRF token.
 */

// Same origin as the page, spelled out for runtimes that cannot build a Request from a relative URL.
const baseUrl = typeof window === 'undefined' ? '' : window.location.origin

type Query = Record<string, string | number | null | undefined>

function withQuery(path: string, query: Query): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
  }
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}

/** The API's error shape, or FastAPI's own `{"detail": ...}` should a route answer with it. */
async function errorOf(response: Response): Promise<ApiError> {
  let body: unknown = null
  try {
    const text = await response.text()
    body = text ? JSON.parse(text) : null
  } catch {
    body = null
  }
  if (!isApiErrorBody(body) && typeof body === 'object' && body !== null && 'detail' in body) {
    const detail = (body as { detail: unknown }).detail
    if (typeof detail === 'string') return new ApiError(response.status, `http_${response.status}`, detail)
  }
  return toApiError(response.status, body, response.statusText)
}

async function call<T>(method: string, path: string, query: Query, body?: unknown): Promise<T> {
  const response = await globalThis.fetch(`${baseUrl}${withQuery(path, query)}`, {
    method,
    credentials: 'include',
    headers: { ...apiHeaders(method), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!response.ok) throw await errorOf(response)
  if (response.status === 204) return undefined as T
  return (await response.json()) as T
}

/** The stored document, streamed by the API (a plain link: the browser downloads it). */
export function documentUrl(tenantId: string, reportId: string): string {
  return withQuery(`/api/reports/${encodeURIComponent(reportId)}/document`, { tenant_id: tenantId })
}

export const LIST_LIMIT = 20
export const ROWS_LIMIT = 50
/** How often the list is refreshed while a report is pending or processing. */
export const POLL_MS = 2_000

export type RowsView = 'by_date' | 'by_asin'

export interface RowsFilter {
  reportType: string
  connectionId: string
  marketplaceId: string
  view: RowsView | null
}

export const reportKeys = {
  all: (tenantId: string) => ['tenants', tenantId, 'reports'] as const,
  catalogue: (tenantId: string) => [...reportKeys.all(tenantId), 'catalogue'] as const,
  list: (tenantId: string) => [...reportKeys.all(tenantId), 'list'] as const,
  schedules: (tenantId: string) => [...reportKeys.all(tenantId), 'schedules'] as const,
  allRows: (tenantId: string) => [...reportKeys.all(tenantId), 'rows'] as const,
  rows: (tenantId: string, filter: RowsFilter) => [...reportKeys.allRows(tenantId), filter] as const,
}

export function isActive(report: Pick<ReportOut, 'status'>): boolean {
  return report.status === 'pending' || report.status === 'processing'
}

/** Every report of every loaded page, once each (a refetch may shift a report across pages). */
export function flattenReports(data: InfiniteData<ReportsPage> | undefined): ReportOut[] {
  const seen = new Set<string>()
  const out: ReportOut[] = []
  for (const page of data?.pages ?? []) {
    for (const report of page.reports) {
      if (seen.has(report.id)) continue
      seen.add(report.id)
      out.push(report)
    }
  }
  return out
}

export function useCatalogue(tenantId: string) {
  return useQuery({
    queryKey: reportKeys.catalogue(tenantId),
    queryFn: () => call<ReportKindOut[]>('GET', '/api/reports/catalogue', { tenant_id: tenantId }),
    staleTime: Infinity,
  })
}

/** The requests, newest first, with "load more"; refreshed every 2 s while any is still at Amazon. */
export function useReports(tenantId: string) {
  return useInfiniteQuery({
    queryKey: reportKeys.list(tenantId),
    queryFn: ({ pageParam }) =>
      call<ReportsPage>('GET', '/api/reports', { tenant_id: tenantId, limit: LIST_LIMIT, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    refetchInterval: (query) => (flattenReports(query.state.data).some(isActive) ? POLL_MS : false),
    staleTime: 0,
  })
}

/** When a report finishes (or loads more rows), the rows on screen are read again. */
export function useRefreshRowsWhenDone(tenantId: string, reports: ReportOut[] | null) {
  const queryClient = useQueryClient()
  const done = reports
    ? reports
        .filter((r) => r.status === 'done')
        .map((r) => `${r.id}:${r.rows_loaded ?? ''}`)
        .join(',')
    : null
  const previous = useRef<string | null>(null)
  useEffect(() => {
    if (done === null) return
    if (previous.current !== null && previous.current !== done) {
      void queryClient.invalidateQueries({ queryKey: reportKeys.allRows(tenantId) })
    }
    previous.current = done
  }, [done, queryClient, tenantId])
}

export function useCreateReport(tenantId: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: ReportCreate) => call<ReportOut>('POST', '/api/reports/create', { tenant_id: tenantId }, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: reportKeys.list(tenantId) }),
  })
}

export function useSchedules(tenantId: string) {
  return useQuery({
    queryKey: reportKeys.schedules(tenantId),
    queryFn: () => call<ScheduleOut[]>('GET', '/api/reports/schedules', { tenant_id: tenantId }),
  })
}

export function useCreateSchedule(tenantId: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: ScheduleCreate) =>
      call<ScheduleOut>('POST', '/api/reports/schedules', { tenant_id: tenantId }, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: reportKeys.schedules(tenantId) }),
  })
}

export function useDeleteSchedule(tenantId: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (scheduleId: string) =>
      call<void>('DELETE', `/api/reports/schedules/${encodeURIComponent(scheduleId)}`, { tenant_id: tenantId }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: reportKeys.schedules(tenantId) }),
  })
}

/** The parsed rows of one catalogue type, keyset-paged ("load more"). */
export function useReportRows(tenantId: string, filter: RowsFilter) {
  return useInfiniteQuery({
    queryKey: reportKeys.rows(tenantId, filter),
    queryFn: ({ pageParam }) =>
      call<RowsPage>('GET', `/api/reports/data/${encodeURIComponent(filter.reportType)}`, {
        tenant_id: tenantId,
        connection_id: filter.connectionId,
        marketplace_id: filter.marketplaceId,
        // The contract names only `view=by_asin`; the by-date rows are the route's default.
        view: filter.view === 'by_asin' ? 'by_asin' : undefined,
        cursor: pageParam,
        limit: ROWS_LIMIT,
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    enabled: filter.reportType !== '',
  })
}
