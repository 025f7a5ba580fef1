/**
 * The API answers every 4xx/5xx with one shape:
 *   {"error": {"code": string, "message": string, "request_id": string}}
 * `ApiError` carries it (plus the HTTP status) through TanStack Query to the UI.
 */
export interface ApiErrorBody {
  // `issues`: what to change, one sentence each (e.g. a refused password's reasons).
  error: { code: string; message: string; request_id: string; issues?: unknown }
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly requestId: string | null
  /** The body's `issues` when they are sentences (a refused password's reasons). */
  readonly reasons: string[]

  constructor(
    status: number,
    code: string,
    message: string,
    requestId: string | null = null,
    reasons: string[] = [],
  ) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.requestId = requestId
    this.reasons = reasons
  }

  get isUnauthorized(): boolean {
    return this.status === 401
  }
}

export function isApiErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false
  const err = (value as { error: unknown }).error
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { code?: unknown }).code === 'string' &&
    typeof (err as { message?: unknown }).message === 'string'
  )
}

/** Build an ApiError from a status and an already-read body (JSON value or text). */
export function toApiError(status: number, body: unknown, statusText = ''): ApiError {
  if (isApiErrorBody(body)) {
    const { code, message, request_id, issues } = body.error
    const sentences = Array.isArray(issues) ? issues.filter((i): i is string => typeof i === 'string') : []
    return new ApiError(status, code, message, typeof request_id === 'string' ? request_id : null, sentences)
  }
  const fallback =
    status === 0
      ? 'Could not reach the server.'
      : `Request failed with status ${status}${statusText ? ` (${statusText})` : ''}.`
  return new ApiError(status, `http_${status}`, fallback)
}

/** Read a failed Response's body and turn it into an ApiError. */
export async function apiErrorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown = null
  try {
    const text = await response.text()
    body = text ? JSON.parse(text) : null
  } catch {
    body = null
  }
  return toApiError(response.status, body, response.statusText)
}

/** A human message for any thrown value. */
/** The API's error code (`mfa_required`, `last_owner`...), or null for anything else. */
export function errorCode(error: unknown): string | null {
  return error instanceof ApiError ? error.code : null
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message
  if (error instanceof TypeError) return 'Could not reach the server. Check your connection.'
  if (error instanceof Error) return error.message
  return 'Something went wrong.'
}
