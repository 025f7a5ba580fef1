/** The API answers of a tenant's overview page (`role`: the caller's), for its tests. */
import { json } from '@/test/utils'

const ME = { id: 'u1', email: 'ada@example.com', name: 'Ada', email_verified: true }
export const PENDING = {
  id: 'i1',
  email: 'dee@example.com',
  role: 'admin',
  created_at: '2026-11-28T10:00:00Z',
  expires_at: '2026-12-05T10:00:00Z',
  expired: false,
}
export const FLAG = {
  key: 'use_data_kiosk',
  env_var: 'FEATURE_USE_DATA_KIOSK',
  description: 'Use Data Kiosk.',
  value: false,
  default: false,
  overridden: false,
}

export function tenantHandlers(role: string) {
  return {
    'GET /api/auth/me': () => json(200, ME),
    'GET /api/tenants/t1': () =>
      json(200, { id: 't1', name: 'Acme Agency', slug: 'acme', role, created_at: '2026-11-28T10:00:00Z' }),
    'GET /api/tenants/t1/connections': () => json(200, []),
    'GET /api/tenants/t1/members': () =>
      json(200, [
        { user_id: 'u1', email: 'ada@example.com', name: 'Ada', role, has_signed_up: true, created_at: '2026-11-28T10:00:00Z' },
        { user_id: 'u2', email: 'bob@example.com', name: null, role: 'viewer', has_signed_up: false, created_at: '2026-11-28T10:00:00Z' },
      ]),
    'GET /api/tenants/t1/flags': () => json(200, [FLAG]),
    'GET /api/tenants/t1/invitations': () => json(200, [PENDING]),
    'GET /api/tenants/t1/audit-logs': () =>
      json(200, {
        items: [
          {
            id: 1,
            action: 'connection.connected',
            actor_user_id: 'u1',
            actor_email: 'ada@example.com',
            target_type: 'connection',
            target_id: 'c1',
            data: { provider: 'amazon_sp', region: 'NA', account_id: 'A1SELLER' },
            request_id: 'r1',
            created_at: '2026-11-28T10:00:00Z',
          },
        ],
        next_before_id: null,
      }),
  }
}
