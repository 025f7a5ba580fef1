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

/** SHIPPED -> Shipped, PARTIALLY_SHIPPED -> Partially shipped. */
export function statusLabel(status: string): string {
  const words = status.toLowerCase().split('_').join(' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}
