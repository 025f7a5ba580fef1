import { describe, expect, it, vi } from 'vitest'

import { ApiError } from './api-error'
import { createQueryClient, signInUrl } from './query-client'

describe('global 401 handler', () => {
  it('calls onUnauthorized when a query fails with 401', async () => {
    const onUnauthorized = vi.fn<() => void>()
    const client = createQueryClient({ onUnauthorized, retries: 0 })
    await expect(
      client.fetchQuery({
        queryKey: ['x'],
        queryFn: () => Promise.reject(new ApiError(401, 'not_authenticated', 'Sign in')),
      }),
    ).rejects.toBeInstanceOf(ApiError)
    expect(onUnauthorized).toHaveBeenCalledTimes(1)
  })

  it('ignores other errors and mutations that opt out', async () => {
    const onUnauthorized = vi.fn<() => void>()
    const client = createQueryClient({ onUnauthorized, retries: 0 })
    await client
      .fetchQuery({ queryKey: ['y'], queryFn: () => Promise.reject(new ApiError(500, 'x', 'x')) })
      .catch(() => undefined)
    const mutation = client.getMutationCache().build(client, {
      mutationFn: () => Promise.reject(new ApiError(401, 'invalid_credentials', 'Wrong password')),
      meta: { skipAuthRedirect: true },
    })
    await mutation.execute(undefined).catch(() => undefined)
    expect(onUnauthorized).not.toHaveBeenCalled()
  })

  it('builds a sign-in URL that returns to the page', () => {
    expect(signInUrl('/dashboard/tenants/a?b=1')).toBe('/auth/signin?next=%2Fdashboard%2Ftenants%2Fa%3Fb%3D1')
    expect(signInUrl('/auth/signup')).toBe('/auth/signin?next=%2Fdashboard')
  })
})
