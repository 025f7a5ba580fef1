import { screen, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'

import { json, mockFetch, renderRoutes } from '@/test/utils'
import { OwnerMfaBanner } from './OwnerMfaBanner'

const OFF = { enabled: false, enrolment_pending: false, recovery_codes_left: 0, session_verified: false }
const ON = { enabled: true, enrolment_pending: false, recovery_codes_left: 10, session_verified: true }
const tenant = (name: string, role: string) => ({
  id: name.toLowerCase(),
  name,
  slug: name.toLowerCase(),
  role,
  created_at: '2026-01-01T00:00:00Z',
})

function renderAt(path: string, mfa: typeof OFF, tenants: ReturnType<typeof tenant>[]) {
  mockFetch({ 'GET /api/auth/mfa': () => json(200, mfa), 'GET /api/tenants': () => json(200, tenants) })
  const page = (
    <>
      <OwnerMfaBanner />
      <p>Page</p>
    </>
  )
  return renderRoutes(
    [
      { path: '/dashboard', element: page },
      { path: '/dashboard/account/security', element: page },
    ],
    path,
  )
}

describe('OwnerMfaBanner', () => {
  it('asks an owner without MFA to turn it on, linking to enrolment and back', async () => {
    renderAt('/dashboard', OFF, [tenant('Acme', 'owner'), tenant('Other', 'viewer')])
    expect(await screen.findByText('Turn on two-factor authentication')).toBeInTheDocument()
    expect(screen.getByText(/You are an owner of Acme\./)).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Set up two-factor authentication' })).toHaveAttribute(
      'href',
      '/dashboard/account/security?next=%2Fdashboard',
    )
  })

  it('says nothing to an owner with MFA, to a member who owns nothing, or on the enrolment page', async () => {
    for (const [path, mfa, role] of [
      ['/dashboard', ON, 'owner'],
      ['/dashboard', OFF, 'admin'],
      ['/dashboard/account/security', OFF, 'owner'],
    ] as const) {
      const { unmount, queryClient } = renderAt(path, mfa, [tenant('Acme', role)])
      expect(await screen.findByText('Page')).toBeInTheDocument()
      await waitForQueries(queryClient)
      expect(screen.queryByText('Turn on two-factor authentication')).not.toBeInTheDocument()
      unmount()
    }
  })
})

async function waitForQueries(queryClient: { isFetching: () => number }) {
  await waitFor(() => expect(queryClient.isFetching()).toBe(0))
}
