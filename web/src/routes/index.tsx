import { Navigate, type RouteObject } from 'react-router'

import { RequireAuth } from '@/auth/RequireAuth'
import { AppLayout } from '@/components/layout/AppLayout'
import { NotFoundPage } from './NotFoundPage'
import { RouteError } from './RouteError'
import { SignInPage } from './auth/SignInPage'
import { SignUpPage } from './auth/SignUpPage'
import { AmazonIntegrationPage } from './dashboard/AmazonIntegrationPage'
import { DashboardPage } from './dashboard/DashboardPage'
import { OrdersPage } from './dashboard/OrdersPage'
import { FeedsPage } from './dashboard/FeedsPage'
import { ReportsPage } from './dashboard/ReportsPage'
import { TenantOverviewPage } from './dashboard/TenantOverviewPage'
import { AdsPage } from './dashboard/sections'

export const routes: RouteObject[] = [
  {
    errorElement: <RouteError />,
    children: [
      { path: '/', element: <Navigate to="/dashboard" replace /> },
      // `/*` leaves room for Clerk's own sub-steps when it is enabled.
      { path: '/auth/signin/*', element: <SignInPage /> },
      { path: '/auth/signup/*', element: <SignUpPage /> },
      {
        path: '/dashboard',
        element: (
          <RequireAuth>
            <AppLayout />
          </RequireAuth>
        ),
        children: [
          { index: true, element: <DashboardPage /> },
          {
            path: 'tenants/:id',
            children: [
              { index: true, element: <TenantOverviewPage /> },
              { path: 'integrations/amazon', element: <AmazonIntegrationPage /> },
              { path: 'orders', element: <OrdersPage /> },
              { path: 'reports', element: <ReportsPage /> },
              { path: 'feeds', element: <FeedsPage /> },
              { path: 'ads', element: <AdsPage /> },
            ],
          },
        ],
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]
