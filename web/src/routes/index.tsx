import { lazy, Suspense, type ComponentType } from 'react'
import { Navigate, Outlet, type RouteObject } from 'react-router'

import { RequireAuth } from '@/auth/RequireAuth'
import { FullPageLoader } from '@/components/common/FullPageLoader'
import { AppLayout } from '@/components/layout/AppLayout'
import { NotFoundPage } from './NotFoundPage'
import { RouteError } from './RouteError'

/**
 * Every page is its own chunk, loaded when its route is first shown: the first page a visitor opens
 * loads only itself, never the charts or forms of the others. A chunk that fails to load reaches
 * `RouteError` (it offers a reload).
 */
function page<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  return lazy(async () => ({ default: (await load())[name] }))
}

const SignInPage = page(() => import('./auth/SignInPage'), 'SignInPage')
const SignUpPage = page(() => import('./auth/SignUpPage'), 'SignUpPage')
const CheckEmailPage = page(() => import('./auth/CheckEmailPage'), 'CheckEmailPage')
const VerifyEmailPage = page(() => import('./auth/VerifyEmailPage'), 'VerifyEmailPage')
const ForgotPasswordPage = page(() => import('./auth/ForgotPasswordPage'), 'ForgotPasswordPage')
const ResetPasswordPage = page(() => import('./auth/ResetPasswordPage'), 'ResetPasswordPage')
const AcceptInvitationPage = page(() => import('./invitations/AcceptInvitationPage'), 'AcceptInvitationPage')
const DashboardPage = page(() => import('./dashboard/DashboardPage'), 'DashboardPage')
const TenantOverviewPage = page(() => import('./dashboard/TenantOverviewPage'), 'TenantOverviewPage')
const AmazonIntegrationPage = page(() => import('./dashboard/AmazonIntegrationPage'), 'AmazonIntegrationPage')
const OrdersPage = page(() => import('./dashboard/OrdersPage'), 'OrdersPage')
const ReportsPage = page(() => import('./dashboard/ReportsPage'), 'ReportsPage')
const FeedsPage = page(() => import('./dashboard/FeedsPage'), 'FeedsPage')
const AdsPage = page(() => import('./dashboard/AdsPage'), 'AdsPage')
const HealthPage = page(() => import('./dashboard/HealthPage'), 'HealthPage')
const AccountSecurityPage = page(() => import('./dashboard/AccountSecurityPage'), 'AccountSecurityPage')

export const routes: RouteObject[] = [
  {
    errorElement: <RouteError />,
    // The sign-in pages load here; the panel's pages inside the layout's own boundary (its frame stays).
    element: (
      <Suspense fallback={<FullPageLoader />}>
        <Outlet />
      </Suspense>
    ),
    children: [
      { path: '/', element: <Navigate to="/dashboard" replace /> },
      // `/*` leaves room for Clerk's own sub-steps when it is enabled.
      { path: '/auth/signin/*', element: <SignInPage /> },
      { path: '/auth/signup/*', element: <SignUpPage /> },
      { path: '/auth/check-email', element: <CheckEmailPage /> },
      { path: '/auth/verify', element: <VerifyEmailPage /> },
      { path: '/auth/forgot', element: <ForgotPasswordPage /> },
      { path: '/auth/reset', element: <ResetPasswordPage /> },
      { path: '/invitations/accept', element: <AcceptInvitationPage /> },
      {
        path: '/dashboard',
        element: (
          <RequireAuth>
            <AppLayout />
          </RequireAuth>
        ),
        children: [
          { index: true, element: <DashboardPage /> },
          { path: 'account/security', element: <AccountSecurityPage /> },
          {
            path: 'tenants/:id',
            children: [
              { index: true, element: <TenantOverviewPage /> },
              { path: 'integrations/amazon', element: <AmazonIntegrationPage /> },
              { path: 'orders', element: <OrdersPage /> },
              { path: 'reports', element: <ReportsPage /> },
              { path: 'feeds', element: <FeedsPage /> },
              { path: 'ads', element: <AdsPage /> },
              { path: 'health', element: <HealthPage /> },
            ],
          },
        ],
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]
