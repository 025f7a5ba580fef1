import { QueryClientProvider } from '@tanstack/react-query'
import { render } from '@testing-library/react'
import { createMemoryRouter, RouterProvider, type RouteObject } from 'react-router'
import { vi } from 'vitest'

import { createQueryClient } from '@/lib/query-client'

type Handler = (request: Request) => Response | Promise<Response>

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

export function apiError(status: number, code: string, message: string): Response {
  return json(status, { error: { code, message, request_id: 'req-123' } })
}

/** Stub global fetch with handlers keyed by "METHOD /path"; records every Request. */
export function mockFetch(handlers: Record<string, Handler>) {
  const calls: Request[] = []
  const fn = vi.fn<typeof fetch>(async (input, init) => {
    const request = input instanceof Request ? input : new Request(String(input), init)
    calls.push(request)
    const key = `${request.method} ${new URL(request.url).pathname}`
    const handler = handlers[key]
    if (!handler) return apiError(404, 'not_found', `No handler for ${key}`)
    return handler(request)
  })
  vi.stubGlobal('fetch', fn)
  return { fn, calls }
}

/** Render routes in a memory router with a fresh QueryClient (no retries). */
export function renderRoutes(routes: RouteObject[], initialPath: string, onUnauthorized?: () => void) {
  const queryClient = createQueryClient({ retries: 0, onUnauthorized })
  const router = createMemoryRouter(routes, { initialEntries: [initialPath] })
  const result = render(
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  )
  return { ...result, router, queryClient }
}

