import { apiHeaders } from '@/client'
import { ApiError, isApiErrorBody, toApiError } from '@/lib/api-error'

import type { FeedIssueOut } from './types'

/*
 * Calls go through fetch with the typed client's own headers (cookies, the CSRF token), like the reports
 * feature: two of them are not JSON (the CSV is multipart, the raw upload is the file itself).
 */

// Same origin as the page, spelled out for runtimes that cannot build a Request from a relative URL.
const baseUrl = typeof window === 'undefined' ? '' : window.location.origin

export type Query = Record<string, string | number | boolean | null | undefined>

export function withQuery(path: string, query: Query): string {
  const [bare, existing = ''] = path.split('?', 2)
  const params = new URLSearchParams(existing)
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '' && !params.has(key)) params.set(key, String(value))
  }
  const qs = params.toString()
  return qs ? `${bare}?${qs}` : (bare ?? path)
}

/** A refusal that names what is wrong line by line (the API's 422 with `issues`). */
export class FeedIssuesError extends ApiError {
  readonly issues: FeedIssueOut[]

  constructor(status: number, code: string, message: string, requestId: string | null, issues: FeedIssueOut[]) {
    super(status, code, message, requestId)
    this.issues = issues
  }
}

function issuesOf(body: unknown): FeedIssueOut[] | null {
  if (typeof body !== 'object' || body === null) return null
  const top = (body as { issues?: unknown }).issues
  const nested = isApiErrorBody(body) ? (body.error as { issues?: unknown }).issues : undefined
  const issues = Array.isArray(top) ? top : Array.isArray(nested) ? nested : null
  return issues as FeedIssueOut[] | null
}

/** The API's error shape (with `issues` when it has them), or FastAPI's own `{"detail": ...}`. */
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
  const error = toApiError(response.status, body, response.statusText)
  const issues = issuesOf(body)
  return issues ? new FeedIssuesError(error.status, error.code, error.message, error.requestId, issues) : error
}

export async function send<T>(method: string, url: string, headers: Record<string, string>, body?: BodyInit): Promise<T> {
  const response = await globalThis.fetch(`${baseUrl}${url}`, {
    method,
    credentials: 'include',
    headers: { ...apiHeaders(method), ...headers },
    body,
  })
  if (!response.ok) throw await errorOf(response)
  return (await response.json()) as T
}

export function call<T>(method: string, path: string, query: Query, body?: unknown): Promise<T> {
  const json: Record<string, string> = body === undefined ? {} : { 'Content-Type': 'application/json' }
  return send<T>(method, withQuery(path, query), json, body === undefined ? undefined : JSON.stringify(body))
}
