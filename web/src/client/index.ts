/**
 * Typed API client. `schema.gen.ts` is generated from `web/openapi.json`
 * (`npm run generate-client`); never edit it by hand.
 */
import createClient, { type Middleware } from 'openapi-fetch'

import { ApiError, apiErrorFromResponse, toApiError } from '@/lib/api-error'
import type { paths } from './schema.gen'

export type { paths, components } from './schema.gen'

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export function readCookie(name: string): string | null {
  if (typeof document === 'undefined') return null
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return decodeURIComponent(rest.join('='))
  }
  return null
}

/** Headers every request carries: JSON accept, and the CSRF token on unsafe methods. */
export function apiHeaders(method: string): Record<string, string> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  const csrf = UNSAFE_METHODS.has(method.toUpperCase()) ? readCookie('csrf_token') : null
  if (csrf) headers['X-CSRF-Token'] = csrf
  return headers
}

const csrfMiddleware: Middleware = {
  onRequest({ request }) {
    for (const [key, value] of Object.entries(apiHeaders(request.method))) {
      request.headers.set(key, value)
    }
    return request
  },
}

// Same origin as the page (the API serves the panel). The origin is spelled out only
// because non-browser runtimes (tests) cannot build a Request from a relative URL.
const baseUrl = typeof window === 'undefined' ? '' : window.location.origin

export const api = createClient<paths>({
  baseUrl,
  credentials: 'include',
  // Look fetch up at call time so tests can stub it.
  fetch: (request) => globalThis.fetch(request),
})
api.use(csrfMiddleware)

/** Unwrap an openapi-fetch result: the data on success, an ApiError otherwise. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.error === undefined) return result.data as T
  throw toApiError(result.response.status, result.error, result.response.statusText)
}

/**
 * JSON POST for endpoints not (yet) in the OpenAPI document. Same cookies, CSRF
 * header and error handling as the typed client.
 */
export async function postJson<T>(path: string, body?: unknown): Promise<T> {
  const response = await globalThis.fetch(`${baseUrl}${path}`, {
    method: 'POST',
    credentials: 'include',
    headers: {
      ...apiHeaders('POST'),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!response.ok) throw await apiErrorFromResponse(response)
  if (response.status === 204) return undefined as T
  const type = response.headers.get('content-type') ?? ''
  if (!type.includes('json')) {
    throw new ApiError(response.status, 'unexpected_response', 'Unexpected response from the server.')
  }
  return (await response.json()) as T
}
