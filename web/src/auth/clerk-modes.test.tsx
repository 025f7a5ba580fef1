/**
 * The panel in both sign-in modes: built without VITE_CLERK_PUBLISHABLE_KEY it shows the built-in
 * forms and sign-out button and never touches Clerk; built with it, Clerk's SignInButton,
 * SignUpButton and UserButton (Clerk's module is mocked: no network, no key needed).
 */
import type { ReactNode } from 'react'
import { screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { renderRoutes } from '@/test/utils'
import type { CurrentUser } from './queries'

const clerk = vi.hoisted(() => ({ signedIn: false, loaded: false }))

vi.mock('@clerk/react', () => {
  clerk.loaded = true
  return {
    ClerkProvider: ({ children }: { children: ReactNode }) => <>{children}</>,
    Show: ({ when, children }: { when: string; children: ReactNode }) =>
      (when === 'signed-in') === clerk.signedIn ? <>{children}</> : null,
    SignInButton: ({ children }: { children: ReactNode }) => <div data-testid="clerk-sign-in">{children}</div>,
    SignUpButton: ({ children }: { children: ReactNode }) => <div data-testid="clerk-sign-up">{children}</div>,
    UserButton: () => <div data-testid="clerk-user-button" />,
  }
})

const user: CurrentUser = { id: 'u1', email: 'ada@example.com', name: 'Ada', email_verified: true }

async function renderPanel(path: string) {
  vi.resetModules()
  const { SignInPage } = await import('@/routes/auth/SignInPage')
  const { SignUpPage } = await import('@/routes/auth/SignUpPage')
  const { TopBar } = await import('@/components/layout/TopBar')
  const { CurrentUserContext } = await import('./current-user')
  return renderRoutes(
    [
      { path: '/auth/signin/*', element: <SignInPage /> },
      { path: '/auth/signup/*', element: <SignUpPage /> },
      {
        path: '/dashboard/*',
        element: (
          <CurrentUserContext value={user}>
            <TopBar />
          </CurrentUserContext>
        ),
      },
    ],
    path,
  )
}

afterEach(() => {
  vi.unstubAllEnvs()
  clerk.signedIn = false
  clerk.loaded = false
})

describe('built without a Clerk key', () => {
  it('shows the built-in forms and sign-out, and never loads Clerk', async () => {
    vi.stubEnv('VITE_CLERK_PUBLISHABLE_KEY', '')
    await renderPanel('/auth/signin')
    expect(await screen.findByLabelText('Password')).toBeInTheDocument()
    expect(screen.queryByTestId('clerk-sign-in')).not.toBeInTheDocument()

    await renderPanel('/dashboard')
    expect(await screen.findByRole('button', { name: /sign out/i })).toBeInTheDocument()
    expect(screen.queryByTestId('clerk-user-button')).not.toBeInTheDocument()
    expect(clerk.loaded).toBe(false)
  })
})

describe('built with VITE_CLERK_PUBLISHABLE_KEY', () => {
  it("shows Clerk's sign-in and sign-up buttons instead of the forms", async () => {
    vi.stubEnv('VITE_CLERK_PUBLISHABLE_KEY', 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k')
    for (const path of ['/auth/signin', '/auth/signup']) {
      const { unmount } = await renderPanel(path)
      expect(await screen.findByTestId('clerk-sign-in')).toHaveTextContent('Sign in')
      expect(screen.getByTestId('clerk-sign-up')).toHaveTextContent('Sign up')
      expect(screen.queryByLabelText('Password')).not.toBeInTheDocument()
      unmount()
    }
  })

  it('sends a signed-in visitor on, and shows UserButton in the header', async () => {
    vi.stubEnv('VITE_CLERK_PUBLISHABLE_KEY', 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k')
    clerk.signedIn = true
    const { router } = await renderPanel('/auth/signin?next=%2Fdashboard%2Ftenants%2Ft1')
    expect(await screen.findByTestId('clerk-user-button')).toBeInTheDocument()
    expect(router.state.location.pathname).toBe('/dashboard/tenants/t1')
    expect(screen.queryByRole('button', { name: /sign out/i })).not.toBeInTheDocument()
  })
})
