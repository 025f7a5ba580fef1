import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { json, mockFetch, renderRoutes } from '@/test/utils'
import { routes } from './index'

const ME = { id: 'u1', email: 'ada@example.com', name: 'Ada', email_verified: true }

describe('app routes', () => {
  it('redirects / to /dashboard', async () => {
    mockFetch({ 'GET /api/auth/me': () => json(200, ME) })
    const { router } = renderRoutes(routes, '/')
    expect(await screen.findByRole('heading', { name: 'Tenants' })).toBeInTheDocument()
    expect(router.state.location.pathname).toBe('/dashboard')
  })

  it('shows the tenant sections and the user in the layout', async () => {
    mockFetch({ 'GET /api/auth/me': () => json(200, ME) })
    renderRoutes(routes, '/dashboard/tenants/t1/reports')
    expect(await screen.findByRole('heading', { name: 'Reports' })).toBeInTheDocument()
    expect(screen.getByTestId('user-email')).toHaveTextContent('ada@example.com')
    const nav = screen.getByRole('navigation', { name: 'Main' })
    for (const label of ['Overview', 'Amazon integration', 'Orders', 'Reports', 'Feeds', 'Ads']) {
      expect(within(nav).getByRole('link', { name: label })).toBeInTheDocument()
    }
    expect(within(nav).getByRole('link', { name: 'Orders' })).toHaveAttribute('href', '/dashboard/tenants/t1/orders')
  })

  it('signs out through the API and lands on sign-in', async () => {
    const { calls } = mockFetch({
      'GET /api/auth/me': () => json(200, ME),
      'POST /api/auth/signout': () => new Response(null, { status: 204 }),
    })
    const { router } = renderRoutes(routes, '/dashboard')
    await userEvent.click(await screen.findByRole('button', { name: /sign out/i }))
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument()
    expect(router.state.location.pathname).toBe('/auth/signin')
    expect(calls.some((r) => r.method === 'POST' && r.url.endsWith('/api/auth/signout'))).toBe(true)
  })

  it('renders a 404 page for unknown paths', async () => {
    renderRoutes(routes, '/nope')
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeInTheDocument()
  })
})
