import { QueryClientProvider } from '@tanstack/react-query'
import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'

import { createQueryClient } from '@/lib/query-client'
import type { Connection } from '../api'
import { ConnectionCard } from './ConnectionCard'

function connection(patch: Partial<Connection> = {}): Connection {
  return {
    id: 'c1',
    provider: 'amazon_sp',
    region: 'NA',
    account_id: 'A1SELLER',
    display_name: 'Acme',
    marketplaces: ['ATVPDKIKX0DER'],
    selected_marketplaces: ['ATVPDKIKX0DER'],
    status: 'active',
    connected_at: '2026-11-01T10:00:00Z',
    authorized_at: '2026-11-01T10:00:00Z',
    disconnected_at: null,
    data_deletion_due_at: null,
    last_error: null,
    parent_connection_id: null,
    profiles: [],
    ...patch,
  }
}

function renderCard(value: Connection) {
  render(
    <QueryClientProvider client={createQueryClient({ retries: 0 })}>
      <ConnectionCard tenantId="t1" connection={value} all={[value]} countryOf={() => 'US'} canManage />
    </QueryClientProvider>,
  )
}

describe('ConnectionCard: retention', () => {
  it('tells a disconnected connection when its data will be deleted, with Reconnect to keep it', () => {
    const due = '2027-01-05T10:00:00Z'
    renderCard(connection({ status: 'revoked', disconnected_at: '2026-12-06T10:00:00Z', data_deletion_due_at: due }))
    expect(screen.getByText(`Data will be deleted on ${new Date(due).toLocaleDateString()}`)).toBeInTheDocument()
    expect(screen.getByText(/Reconnect before that date to keep it/)).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Reconnect' })).toBeInTheDocument()
  })

  it('says nothing of a deletion while the data is kept', () => {
    renderCard(connection())
    expect(screen.queryByText(/Data will be deleted/)).not.toBeInTheDocument()
  })
})
