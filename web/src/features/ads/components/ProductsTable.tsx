import { ArrowDown, ArrowUp, ChevronRight, Loader2 } from 'lucide-react'
import { Fragment, useState } from 'react'

import { ErrorState } from '@/components/common/ErrorState'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { cn } from '@/lib/utils'
import { useAdsProducts } from '../api'
import type { AdsProductRow, ProductsQuery, TableSort } from '../types'
import { COLUMNS, type Column } from '../columns'
import { MetricCells } from './MetricCells'
import { ProductDrillDown } from './ProductDrillDown'

function SortHeader({ column, value, onSort }: { column: Column; value: TableSort; onSort: (next: TableSort) => void }) {
  const active = column.sort === value.sort
  const Arrow = value.order === 'asc' ? ArrowUp : ArrowDown
  const label = <span title={column.title}>{column.label}</span>
  if (!column.sort) return <TableHead className="text-right whitespace-nowrap">{label}</TableHead>
  const sort = column.sort
  return (
    <TableHead className="text-right whitespace-nowrap" aria-sort={active ? (value.order === 'asc' ? 'ascending' : 'descending') : undefined}>
      <button
        type="button"
        className={cn('hover:text-foreground inline-flex items-center gap-1', active && 'text-foreground font-semibold')}
        // The highest first on a new column; the active one flips.
        onClick={() => onSort({ sort, order: active && value.order === 'desc' ? 'asc' : 'desc' })}
      >
        {active ? <Arrow className="size-3.5" aria-hidden /> : null}
        {label}
        <span className="sr-only">, sort</span>
      </button>
    </TableHead>
  )
}

function ProductCell({ row, open, onToggle }: { row: AdsProductRow; open: boolean; onToggle: () => void }) {
  return (
    <TableCell className="max-w-72">
      <button
        type="button"
        className="hover:bg-accent -mx-1 flex items-start gap-1.5 rounded px-1 py-0.5 text-left"
        aria-expanded={open}
        aria-label={`${open ? 'Hide' : 'Show'} the campaigns of ${row.asin}`}
        onClick={onToggle}
      >
        <ChevronRight className={cn('text-muted-foreground mt-0.5 size-4 shrink-0 transition-transform', open && 'rotate-90')} aria-hidden />
        <span className="min-w-0">
          <span className="block font-mono text-xs font-medium" data-testid="ads-product-asin">
            {row.asin}
          </span>
          <span className="text-muted-foreground block truncate text-xs">{row.skus.join(', ') || '—'}</span>
        </span>
      </button>
    </TableCell>
  )
}

/** Every advertised product of the range, sortable by its figures, with each one's campaigns and ad groups. */
export function ProductsTable({
  tenantId,
  query,
  live,
  onSort,
}: {
  tenantId: string
  query: ProductsQuery
  live: boolean
  onSort: (next: TableSort) => void
}) {
  const products = useAdsProducts(tenantId, query, { live, keepPrevious: true })
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set())
  const toggle = (asin: string) =>
    setOpen((current) => {
      const next = new Set(current)
      if (!next.delete(asin)) next.add(asin)
      return next
    })
  const pages = products.data?.pages ?? []
  const currency = pages[0]?.currency_code ?? null
  const rows = pages.flatMap((p) => p.items)

  return (
    <Card className="gap-4 pb-2">
      <CardHeader>
        <CardTitle>Products</CardTitle>
        <CardDescription>
          Advertised products with what their ads cost and sold, against all their sales. Open a product to see its
          campaigns and ad groups.
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-3 px-0">
        {products.isPending ? <Skeleton className="mx-6 h-48" data-testid="ads-products-loading" /> : null}
        {products.isError && !products.data ? (
          <div className="px-6">
            <ErrorState error={products.error} title="Could not load the products" onRetry={() => void products.refetch()} />
          </div>
        ) : null}
        {products.data ? (
          <Table aria-label="Advertised products" className={cn('transition-opacity', products.isPlaceholderData && 'opacity-60')}>
            <TableHeader>
              <TableRow>
                <TableHead className="pl-4">Product</TableHead>
                {COLUMNS.map((column) => (
                  <SortHeader key={column.key} column={column} value={query} onSort={onSort} />
                ))}
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.length === 0 ? (
                <TableRow>
                  <TableCell colSpan={COLUMNS.length + 1} className="text-muted-foreground py-6 text-center text-sm">
                    No advertised product in this range.
                  </TableCell>
                </TableRow>
              ) : null}
              {rows.map((row) => (
                <Fragment key={row.asin}>
                  <TableRow data-testid="ads-product-row" data-asin={row.asin}>
                    <ProductCell row={row} open={open.has(row.asin)} onToggle={() => toggle(row.asin)} />
                    <MetricCells row={row} currency={currency} />
                  </TableRow>
                  {open.has(row.asin) ? <ProductDrillDown tenantId={tenantId} query={query} asin={row.asin} live={live} /> : null}
                </Fragment>
              ))}
            </TableBody>
          </Table>
        ) : null}
        {products.isError && products.data ? (
          <div className="px-6">
            <ErrorState error={products.error} title="Could not load more products" />
          </div>
        ) : null}
        {products.hasNextPage ? (
          <div className="px-4">
            <Button variant="outline" size="sm" disabled={products.isFetchingNextPage} onClick={() => void products.fetchNextPage()}>
              {products.isFetchingNextPage ? <Loader2 className="animate-spin" aria-hidden /> : null}
              Load more products
            </Button>
          </div>
        ) : null}
      </CardContent>
    </Card>
  )
}
