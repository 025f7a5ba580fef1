import { useConnections, useMarketplaces, type Connection } from '@/features/connections/api'

/** The tenant's seller accounts (Selling Partner API connections that still work) and marketplace names. */
export function useSellerAccounts(tenantId: string) {
  const connections = useConnections(tenantId)
  const marketplaces = useMarketplaces()
  const sellers = (connections.data ?? []).filter((c) => c.provider === 'amazon_sp' && c.status !== 'revoked')
  const marketplaceName = (id: string): string => {
    const m = marketplaces.data?.find((x) => x.id === id)
    return m ? `${m.name} (${m.country_code})` : id
  }
  return { connections, sellers, marketplaceName }
}

export function connectionLabel(connection: Pick<Connection, 'display_name' | 'account_id' | 'region'>): string {
  return `${connection.display_name || connection.account_id} · ${connection.region}`
}

/** The picked connection, or the first one; the picked marketplace if it is the connection's, or its first. */
export function pickSeller(sellers: Connection[], connectionId: string, marketplaceId: string) {
  const connection = sellers.find((c) => c.id === connectionId) ?? sellers[0] ?? null
  const marketplaces = connection?.marketplaces ?? []
  const marketplace = marketplaces.includes(marketplaceId) ? marketplaceId : (marketplaces[0] ?? '')
  return { connection, marketplaces, marketplace }
}

export const SELECT = 'border-input bg-background h-9 w-full rounded-md border px-2 text-sm shadow-xs'
