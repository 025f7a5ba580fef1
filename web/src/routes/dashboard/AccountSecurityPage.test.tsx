import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { apiError, json, mockFetch, renderRoutes } from '@/test/utils'
import { AccountSecurityPage } from './AccountSecurityPage'

const OFF = { enabled: false, enrolment_pending: false, recovery_codes_left: 0, session_verified: false }
const ON = { enabled: true, enrolment_pending: false, recovery_codes_left: 10, session_verified: true }
const CODES = Array.from({ length: 10 }, (_, i) => `abcd-efgh-jkmn-pq${i}${i}`)
const URI = 'otpauth://totp/spapi-saas:ada%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=spapi-saas'

// Pages load lazily and the test machine is shared: give each step time.
const LOADED = { timeout: 5000 }
const SLOW_TEST_MS = 30_000

const SESSIONS = () => json(200, [])
const routes = [
  { path: '/dashboard/account/security', element: <AccountSecurityPage /> },
  { path: '/dashboard/tenants/:id/orders', element: <p>Orders page</p> },
]

describe('AccountSecurityPage', () => {
  it('enrols: QR code and key, first code, recovery codes once, then back to the page that asked', async () => {
    let enabled = false
    const { calls } = mockFetch({
      'GET /api/auth/mfa': () => json(200, enabled ? ON : OFF),
      'GET /api/auth/sessions': SESSIONS,
      'POST /api/auth/mfa/enrol': () => json(200, { secret: 'JBSWY3DPEHPK3PXP', otpauth_uri: URI }),
      'POST /api/auth/mfa/confirm': async (request) => {
        const { code } = (await request.clone().json()) as { code: string }
        if (code !== '654321') return apiError(400, 'invalid_mfa_code', 'that code is not valid')
        enabled = true
        return json(200, { recovery_codes: CODES })
      },
    })
    renderRoutes(routes, '/dashboard/account/security?next=%2Fdashboard%2Ftenants%2Ft1%2Forders')
    expect(await screen.findByText('Two-factor authentication is required', undefined, LOADED)).toBeInTheDocument()
    await userEvent.click(await screen.findByRole('button', { name: 'Set up two-factor authentication' }, LOADED))

    expect(await screen.findByTestId('totp-secret', undefined, LOADED)).toHaveTextContent('JBSWY3DPEHPK3PXP')
    expect(screen.getByRole('img', { name: 'QR code for your authenticator app' }).querySelector('svg')).not.toBeNull()
    const input = screen.getByLabelText('Authentication code')
    await userEvent.type(input, '000000')
    await userEvent.click(screen.getByRole('button', { name: 'Turn on' }))
    expect(await screen.findByText('that code is not valid', undefined, LOADED)).toBeInTheDocument()
    await userEvent.clear(input)
    await userEvent.type(input, '654321')
    await userEvent.click(screen.getByRole('button', { name: 'Turn on' }))

    const list = await screen.findByRole('list', { name: 'Recovery codes' }, LOADED)
    expect(within(list).getAllByRole('listitem').map((li) => li.textContent)).toEqual(CODES)
    // On as soon as the first code is accepted, while the codes are still on screen.
    expect(screen.getByTestId('mfa-state')).toHaveTextContent('On')
    expect(calls.filter((r) => r.url.endsWith('/api/auth/mfa/confirm'))).toHaveLength(2)
    await userEvent.click(screen.getByRole('button', { name: 'I have saved my recovery codes' }))
    expect(await screen.findByText('Orders page', undefined, LOADED)).toBeInTheDocument()
  }, SLOW_TEST_MS)

  it('turns MFA off with a code and the password', async () => {
    let enabled = true
    const { calls } = mockFetch({
      'GET /api/auth/mfa': () => json(200, enabled ? ON : OFF),
      'GET /api/auth/sessions': SESSIONS,
      'POST /api/auth/mfa/disable': () => {
        enabled = false
        return new Response(null, { status: 204 })
      },
    })
    renderRoutes(routes, '/dashboard/account/security')
    expect(await screen.findByText(/10 recovery codes left/, undefined, LOADED)).toBeInTheDocument()
    await userEvent.type(screen.getByLabelText('Authentication code'), 'abcd-efgh-jkmn-pq00')
    await userEvent.type(screen.getByLabelText('Password'), 'correct-horse-battery')
    await userEvent.click(screen.getByRole('button', { name: 'Turn off two-factor authentication' }))
    expect(await screen.findByRole('button', { name: 'Set up two-factor authentication' }, LOADED)).toBeInTheDocument()
    const sent = calls.find((r) => r.url.endsWith('/api/auth/mfa/disable'))
    expect(await sent!.json()).toEqual({ code: 'abcd-efgh-jkmn-pq00', password: 'correct-horse-battery' })
  }, SLOW_TEST_MS)

  it('makes new recovery codes with a current code, shows them once, and stays on', async () => {
    const NEW = Array.from({ length: 10 }, (_, i) => `wxyz-wxyz-wxyz-wx${i}${i}`)
    let left = 3
    const { calls } = mockFetch({
      'GET /api/auth/mfa': () => json(200, { ...ON, recovery_codes_left: left }),
      'GET /api/auth/sessions': SESSIONS,
      'POST /api/auth/mfa/recovery-codes': async (request) => {
        const { code } = (await request.clone().json()) as { code: string }
        if (code !== '112233') return apiError(400, 'invalid_mfa_code', 'that code is not valid')
        left = 10
        return json(200, { recovery_codes: NEW })
      },
    })
    renderRoutes(routes, '/dashboard/account/security')
    expect(await screen.findByText(/3 recovery codes left/, undefined, LOADED)).toBeInTheDocument()
    await userEvent.click(screen.getByRole('button', { name: 'New recovery codes' }))
    const form = within(screen.getByRole('region', { name: 'New recovery codes' }))
    await userEvent.type(form.getByLabelText('Authentication code'), '000000')
    await userEvent.click(form.getByRole('button', { name: 'Make new recovery codes' }))
    expect(await form.findByText('that code is not valid', undefined, LOADED)).toBeInTheDocument()
    await userEvent.clear(form.getByLabelText('Authentication code'))
    await userEvent.type(form.getByLabelText('Authentication code'), '112233')
    await userEvent.click(form.getByRole('button', { name: 'Make new recovery codes' }))

    const list = await screen.findByRole('list', { name: 'Recovery codes' }, LOADED)
    expect(within(list).getAllByRole('listitem').map((li) => li.textContent)).toEqual(NEW)
    expect(screen.getByTestId('mfa-state')).toHaveTextContent('On')
    await userEvent.click(screen.getByRole('button', { name: 'I have saved my recovery codes' }))
    expect(await screen.findByText(/10 recovery codes left/, undefined, LOADED)).toBeInTheDocument()
    expect(screen.queryByRole('list', { name: 'Recovery codes' })).not.toBeInTheDocument()
    expect(calls.filter((r) => r.url.endsWith('/api/auth/mfa/recovery-codes'))).toHaveLength(2)
  }, SLOW_TEST_MS)
})
