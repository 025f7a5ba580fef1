import { QueryClientProvider } from '@tanstack/react-query'
import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { CurrentUserContext } from '@/auth/current-user'
import { createQueryClient } from '@/lib/query-client'
import { json, mockFetch } from '@/test/utils'
import { VerifyEmailBanner } from './VerifyEmailBanner'

function renderFor(email_verified: boolean) {
  return render(
    <QueryClientProvider client={createQueryClient({ retries: 0 })}>
      <CurrentUserContext value={{ id: 'u1', email: 'ada@example.com', name: null, email_verified }}>
        <VerifyEmailBanner />
      </CurrentUserContext>
    </QueryClientProvider>,
  )
}

describe('VerifyEmailBanner', () => {
  it('asks an unverified user to verify, and sends the link again', async () => {
    const { calls } = mockFetch({
      'POST /api/auth/verify/resend': () => json(202, { status: 'email_sent', message: 'Check the inbox.' }),
    })
    renderFor(false)
    expect(screen.getByText('Verify your e-mail address')).toBeInTheDocument()
    await userEvent.click(screen.getByRole('button', { name: 'Send the link again' }))
    expect(await screen.findByText('Sent: check your inbox.')).toBeInTheDocument()
    expect(calls).toHaveLength(1)
  })

  it('says nothing once the address is verified', () => {
    renderFor(true)
    expect(screen.queryByText('Verify your e-mail address')).not.toBeInTheDocument()
  })
})
