import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef } from 'react'

import { api, unwrap } from '@/client'
import type { AdsProfile, AdsQuery, ProductsQuery } from './types'

export const PRODUCTS_LIMIT = 25
/** The drill-down lists every campaign and ad group of one product at once. */
export const DRILL_LIMIT = 100
/** How often the page refreshes while a profile's first backfill brings in more days. */
export const BACKFILL_POLL_MS = 10_000

export const adsKeys = {
  all: (tenantId: string) => ['tenants', tenantId, 'ads'] as const,
  profiles: (tenantId: string) => [...adsKeys.all(tenantId), 'profiles'] as const,
  timeseries: (tenantId: string, query: AdsQuery) =>
    [...adsKeys.all(tenantId), 'timeseries', query] as const,
  products: (tenantId: string, query: ProductsQuery) => [...adsKeys.all(tenantId), 'products', query] as const,
}

export function isBackfilling(profile: Pick<AdsProfile, 'sync'> | null | undefined): boolean {
  return profile?.sync.state === 'backfilling'
}

/** The tenant's Ads profiles with their sync state; polled while any first backfill runs. */
export function useAdsProfiles(tenantId: string) {
  return useQuery({
    queryKey: adsKeys.profiles(tenantId),
    queryFn: async () =>
      unwrap(await api.GET('/api/ads/profiles', { params: { query: { tenant_id: tenantId } } })),
    refetchInterval: (query) => (query.state.data?.profiles.some(isBackfilling) ? BACKFILL_POLL_MS : false),
  })
}

/**
 * The figures follow the profile's sync: read again whenever it moves on (new days loaded, the first backfill
 * done). They poll only while the backfill runs, and its last days can land after their last poll (the page
 * would keep saying "no data" for days the profile has).
 */
export function useFiguresFollowSync(tenantId: string, profile: AdsProfile) {
  const queryClient = useQueryClient()
  const { state, data_from, data_to, last_synced_at } = profile.sync
  const stamp = [profile.profile_id, state, data_from, data_to, last_synced_at].join('|')
  const seen = useRef(stamp)
  useEffect(() => {
    if (seen.current === stamp) return
    seen.current = stamp
    for (const figures of ['timeseries', 'products'] as const) {
      void queryClient.invalidateQueries({ queryKey: [...adsKeys.all(tenantId), figures] })
    }
  }, [queryClient, stamp, tenantId])
}

/** The daily series, totals and previous period of a profile. */
export function useAdsTimeseries(tenantId: string, query: AdsQuery, live: boolean) {
  return useQuery({
    queryKey: adsKeys.timeseries(tenantId, query),
    queryFn: async () =>
      unwrap(await api.GET('/api/ads/timeseries', { params: { query: { tenant_id: tenantId, ...query } } })),
    placeholderData: keepPreviousData,
    refetchInterval: live ? BACKFILL_POLL_MS : false,
  })
}

/** The per-product table (or a product's campaigns and ad groups), keyset-paged by the API ("load more"). */
export function useAdsProducts(
  tenantId: string,
  query: ProductsQuery,
  options: { live: boolean; limit?: number; keepPrevious?: boolean },
) {
  return useInfiniteQuery({
    queryKey: adsKeys.products(tenantId, query),
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET('/api/ads/products', {
          params: {
            query: { tenant_id: tenantId, ...query, limit: options.limit ?? PRODUCTS_LIMIT, cursor: pageParam ?? undefined },
          },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    // A new sort or range keeps the rows on screen (dimmed) until the new ones arrive.
    placeholderData: options.keepPrevious ? keepPreviousData : undefined,
    refetchInterval: options.live ? BACKFILL_POLL_MS : false,
  })
}

/** "Sync now" (admins): the Ads deltas of one profile, or of every profile of the tenant, run at once. */
export function useAdsSync(tenantId: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: async (profileId: string | null) =>
      unwrap(
        await api.POST('/api/ads/sync', {
          params: { query: { tenant_id: tenantId } },
          body: profileId ? { profile_id: profileId } : {},
        }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: adsKeys.profiles(tenantId) }),
  })
}
