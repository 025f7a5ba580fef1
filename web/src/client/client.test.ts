import { describe, expect, it } from 'vitest'

import { ApiError } from '@/lib/api-error'
import { json, mockFetch } from '@/test/utils'
import { api, postJson, unwrap } from './index'

describe('API client', () => {
  it('sends the csrf_token cookie as X-CSRF-Token on unsafe methods only', async () => {
    document.cookie = 'csrf_token=tok%20en'
    const { calls } = mockFetch({
      'GET /api/auth/me': () => json(200, { id: 'u1', email: 'a@b.c', name: null }),
      'POST /api/auth/signout': () => new Response(null, { status: 204 }),
    })
    await api.GET('/api/auth/me')
    await postJson('/api/auth/signout')
    expect(calls[0]!.headers.get('X-CSRF-Token')).toBeNull()
    expect(calls[1]!.headers.get('X-CSRF-Token')).toBe('tok en')
    expect(calls[1]!.credentials).toBe('include')
  })

  it('turns error responses into ApiError', async () => {
    mockFetch({ 'GET /api/auth/me': () => json(500, { error: { code: 'internal', message: 'Oops', request_id: 'r9' } }) })
    const result = await api.GET('/api/auth/me')
    expect(() => unwrap(result)).toThrow(ApiError)
    const error = (() => {
      try {
        return unwrap(result)
      } catch (e) {
        return e
      }
    })()
    expect(error).toMatchObject({ status: 500, code: 'internal', message: 'Oops', requestId: 'r9' })
  })

  it('rejects a non-JSON success (e.g. an HTML fallback page)', async () => {
    mockFetch({ 'POST /api/auth/signin': () => new Response('<html></html>', { status: 200, headers: { 'Content-Type': 'text/html' } }) })
    await expect(postJson('/api/auth/signin', {})).rejects.toMatchObject({ code: 'unexpected_response' })
  })
})
