import type { OrderStatus } from './api'

/** Money as the API sends it (a decimal string), in its currency; a dash when unknown. */
export function formatMoney(amount: string | number | null | undefined, currency: string | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return '—'
  const value = Number(amount)
  if (!currency) return value.toFixed(2)
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(value)
  } catch {
    return `${value.toFixed(2)} ${currency}`
  }
}

export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

export function formatCount(count: number): string {
  return new Intl.NumberFormat().format(count)
}

/**
 * What the panel calls each status, keyed by the API's enum: tsc fails when the API adds a status
 * this misses (or drops one it still has). The order is the status filter's.
 */
const STATUS_LABELS: Record<OrderStatus, string> = {
  PENDING: 'Pending',
  UNSHIPPED: 'Unshipped',
  PARTIALLY_SHIPPED: 'Partially shipped',
  SHIPPED: 'Shipped',
  CANCELLED: 'Cancelled',
  UNFULFILLABLE: 'Unfulfillable',
  PENDING_AVAILABILITY: 'Pending availability',
  INVOICE_UNCONFIRMED: 'Invoice unconfirmed',
}

export const ORDER_STATUSES = Object.keys(STATUS_LABELS) as OrderStatus[]

export function isOrderStatus(value: string): value is OrderStatus {
  return Object.hasOwn(STATUS_LABELS, value)
}

/** SHIPPED -> Shipped, PARTIALLY_SHIPPED -> Partially shipped. */
export function statusLabel(status: OrderStatus): string {
  return STATUS_LABELS[status]
}
