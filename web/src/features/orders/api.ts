import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query'

import { api, unwrap, type components } from '@/client'

export type OrderSummary = components['schemas']['OrderSummary']
export type OrderDetail = components['schemas']['OrderDetail']
export type OrderItem = components['schemas']['OrderItemOut']
export type OrdersPage = components['schemas']['OrdersPage']
export type OrdersTotals = components['schemas']['OrdersTotals']
export type ShippingAddress = components['schemas']['ShippingAddressOut']
/** Amazon's order status (2026-01-01 spelling), as the API's enum defines it. */
export type OrderStatus = OrderSummary['order_status']

/** Filters as they appear in the page URL (empty string = not set). */
export interface OrderFilters {
  marketplace: string
  status: OrderStatus | ''
  from: string // yyyy-mm-dd, inclusive
  to: string // yyyy-mm-dd, inclusive
}

export const PAGE_SIZE = 50

export const orderKeys = {
  all: (tenantId: string) => ['tenants', tenantId, 'orders'] as const,
  page: (tenantId: string, filters: OrderFilters, cursor: string | null) =>
    [...orderKeys.all(tenantId), 'list', filters, cursor] as const,
  detail: (tenantId: string, orderId: number) => [...orderKeys.all(tenantId), 'detail', orderId] as const,
}

function dayStart(day: string): string {
  return `${day}T00:00:00Z`
}

function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`)
  date.setUTCDate(date.getUTCDate() + 1)
  return date.toISOString()
}

/** The API query for the filters: dates are whole UTC days, `to` included. */
export function filtersToQuery(filters: OrderFilters) {
  return {
    marketplace: filters.marketplace || undefined,
    status: filters.status || undefined,
    created_after: filters.from ? dayStart(filters.from) : undefined,
    created_before: filters.to ? nextDay(filters.to) : undefined,
  }
}

/** One keyset page; the previous page stays on screen while the next one loads. */
export function useOrdersPage(tenantId: string, filters: OrderFilters, cursor: string | null) {
  return useQuery({
    queryKey: orderKeys.page(tenantId, filters, cursor),
    queryFn: async () =>
      unwrap(
        await api.GET('/api/orders', {
          params: {
            query: { tenant_id: tenantId, limit: PAGE_SIZE, cursor: cursor ?? undefined, ...filtersToQuery(filters) },
          },
        }),
      ),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  })
}

export function useOrder(tenantId: string, orderId: number | null) {
  return useQuery({
    queryKey: orderKeys.detail(tenantId, orderId ?? 0),
    queryFn: async () =>
      unwrap(
        await api.GET('/api/orders/{order_id}', {
          params: { path: { order_id: orderId ?? 0 }, query: { tenant_id: tenantId } },
        }),
      ),
    enabled: orderId !== null,
  })
}

/** The buyer's address, fetched from Amazon only when asked (a mutation: never cached). */
export function useOrderAddress(tenantId: string) {
  return useMutation({
    mutationFn: async (orderId: number) =>
      unwrap(
        await api.GET('/api/orders/{order_id}/address', {
          params: { path: { order_id: orderId }, query: { tenant_id: tenantId } },
        }),
      ),
  })
}
