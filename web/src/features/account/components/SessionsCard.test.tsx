import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'

import { loadPage } from '@/lib/browser'
import { json, mockFetch, renderRoutes } from '@/test/utils'
import { browserOf } from '../user-agent'
import { SessionsCard } from './SessionsCard'

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36'
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0'
const session = (id: string, user_agent: string | null, current: boolean) => ({
  id,
  created_at: '2026-12-01T10:00:00Z',
  last_seen_at: '2026-12-06T10:00:00Z',
  expires_at: '2026-12-31T10:00:00Z',
  user_agent,
  current,
})

vi.mock('@/lib/browser', () => ({ loadPage: vi.fn<(url: string) => void>() }))

const routes = [{ path: '/dashboard/account/security', element: <SessionsCard /> }]

describe('SessionsCard', () => {
  it('lists the sessions, marks this browser, and signs out everywhere', async () => {
    const { calls } = mockFetch({
      'GET /api/auth/sessions': () =>
        json(200, [session('a1', CHROME, true), session('b2', FIREFOX, false), session('c3', null, false)]),
      'POST /api/auth/signout-everywhere': () => json(200, { revoked: 3 }),
    })
    renderRoutes(routes, '/dashboard/account/security')
    const table = await screen.findByRole('table', { name: 'Sessions' })
    const rows = within(table).getAllByRole('row').slice(1)
    expect(rows.map((row) => within(row).getAllByRole('cell')[0]!.textContent)).toEqual([
      'Chrome on LinuxThis browser',
      'Firefox on Windows',
      'Unknown browser',
    ])

    await userEvent.click(screen.getByRole('button', { name: 'Sign out everywhere' }))
    // A fresh page load of the sign-in page that says so: nothing of the user stays in memory.
    await waitFor(() => expect(loadPage).toHaveBeenCalledWith('/auth/signin?signedOut=everywhere'))
    expect(calls.filter((r) => r.url.endsWith('/api/auth/signout-everywhere'))).toHaveLength(1)
  })

  it('names browsers from their user agents', () => {
    expect(browserOf(CHROME)).toBe('Chrome on Linux')
    expect(browserOf(FIREFOX)).toBe('Firefox on Windows')
    const edge = `${CHROME.replace('X11; Linux x86_64', 'Windows NT 10.0; Win64; x64')} Edg/130.0.0.0`
    expect(browserOf(edge)).toBe('Edge on Windows')
    expect(browserOf('curl/8.5.0')).toBe('curl/8.5.0')
    expect(browserOf(null)).toBe('Unknown browser')
  })
})
