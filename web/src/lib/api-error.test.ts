import { describe, expect, it } from 'vitest'

import { ApiError, apiErrorFromResponse, errorMessage, isApiErrorBody, toApiError } from './api-error'

describe('ApiError parsing', () => {
  it('reads the API error shape', async () => {
    const response = new Response(
      JSON.stringify({ error: { code: 'invalid_credentials', message: 'Wrong email or password', request_id: 'r-1' } }),
      { status: 401, headers: { 'Content-Type': 'application/json' } },
    )
    const error = await apiErrorFromResponse(response)
    expect(error).toBeInstanceOf(ApiError)
    expect(error.status).toBe(401)
    expect(error.code).toBe('invalid_credentials')
    expect(error.message).toBe('Wrong email or password')
    expect(error.requestId).toBe('r-1')
    expect(error.isUnauthorized).toBe(true)
  })

  it('falls back to a generic message for non-JSON bodies', async () => {
    const error = await apiErrorFromResponse(
      new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    )
    expect(error.status).toBe(502)
    expect(error.code).toBe('http_502')
    expect(error.message).toBe('Request failed with status 502 (Bad Gateway).')
    expect(error.requestId).toBeNull()
  })

  it('ignores JSON that is not the error shape', () => {
    expect(isApiErrorBody({ detail: 'Not Found' })).toBe(false)
    expect(isApiErrorBody({ error: { code: 'x' } })).toBe(false)
    const error = toApiError(404, { detail: 'Not Found' })
    expect(error.code).toBe('http_404')
  })

  it('gives a readable message for any thrown value', () => {
    expect(errorMessage(new ApiError(500, 'boom', 'Server exploded'))).toBe('Server exploded')
    expect(errorMessage(new TypeError('Failed to fetch'))).toMatch(/could not reach/i)
    expect(errorMessage('weird')).toBe('Something went wrong.')
  })
})
