import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { ApiError } from '@/lib/api-error'
import { json, mockFetch, renderRoutes } from '@/test/utils'
import { MfaNeeded } from './MfaNeeded'

const at = (error: unknown) =>
  renderRoutes([{ path: '/dashboard/tenants/:id', element: <MfaNeeded error={error} /> }], '/dashboard/tenants/t1')

describe('MfaNeeded', () => {
  it('sends an owner without MFA to turn it on and come back', () => {
    at(new ApiError(403, 'mfa_required', 'turn on two-factor authentication'))
    expect(screen.getByRole('link', { name: 'Set up two-factor authentication' })).toHaveAttribute(
      'href',
      '/dashboard/account/security?next=%2Fdashboard%2Ftenants%2Ft1',
    )
  })

  it('asks for a code when this session has not proved the second factor', async () => {
    const { calls } = mockFetch({
      'POST /api/auth/mfa/verify': () => json(200, { session_verified_at: '2026-12-07T02:00:00Z' }),
    })
    at(new ApiError(403, 'mfa_step_up_required', 'enter a code'))
    await userEvent.type(screen.getByLabelText('Authentication code'), '123456')
    await userEvent.click(screen.getByRole('button', { name: 'Verify this session' }))
    expect(await screen.findByText('Verified. Try again.')).toBeInTheDocument()
    expect(await calls[0]!.json()).toEqual({ code: '123456' })
  })

  it('says nothing about other errors', () => {
    const { container } = at(new ApiError(409, 'last_owner', 'a tenant needs at least one owner'))
    expect(container).toBeEmptyDOMElement()
  })
})
