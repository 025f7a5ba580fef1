import { useEffect, useRef } from 'react'
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type InfiniteData,
} from '@tanstack/react-query'

import { ApiError } from '@/lib/api-error'

import type {
  BulkCheckOut,
  BulkFeedIn,
  BulkRowsOut,
  BulkSubmitted,
  FeedCreate,
  FeedDocumentCreate,
  FeedDocumentOut,
  FeedOut,
  FeedResultsPage,
  FeedsPage,
} from './types'

import { call, send, withQuery } from './http'

const feedPath = (feedId: string, rest: string) => `/api/feeds/${encodeURIComponent(feedId)}/${rest}`

/** The stored files, streamed by the API (plain links: the browser downloads them). */
export function inputUrl(tenantId: string, feedId: string): string {
  return withQuery(feedPath(feedId, 'input'), { tenant_id: tenantId })
}

export function reportUrl(tenantId: string, feedId: string): string {
  return withQuery(feedPath(feedId, 'report'), { tenant_id: tenantId })
}

export const LIST_LIMIT = 20
export const RESULTS_LIMIT = 50
/** How often a feed still on its way is read again. */
export const POLL_MS = 2_000

export const feedKeys = {
  all: (tenantId: string) => ['tenants', tenantId, 'feeds'] as const,
  list: (tenantId: string) => [...feedKeys.all(tenantId), 'list'] as const,
  status: (tenantId: string, feedId: string) => [...feedKeys.all(tenantId), 'status', feedId] as const,
  allResults: (tenantId: string, feedId: string) => [...feedKeys.all(tenantId), 'results', feedId] as const,
  results: (tenantId: string, feedId: string, errorsOnly: boolean, cursor: string | null) =>
    [...feedKeys.allResults(tenantId, feedId), { errorsOnly, cursor }] as const,
}

/** Still on its way (ours or Amazon's side); a draft waits for its file and is not polled. */
export function isActive(feed: Pick<FeedOut, 'status'>): boolean {
  return ['pending', 'uploaded', 'submitting', 'processing'].includes(feed.status)
}

export function isFinal(feed: Pick<FeedOut, 'status'>): boolean {
  return ['done', 'cancelled', 'fatal', 'error'].includes(feed.status)
}

/** Every feed of every loaded page, once each (a refetch may shift a feed across pages). */
export function flattenFeeds(data: InfiniteData<FeedsPage> | undefined): FeedOut[] {
  const seen = new Set<string>()
  return (data?.pages ?? []).flatMap((page) =>
    page.items.filter((feed) => (seen.has(feed.id) ? false : (seen.add(feed.id), true))),
  )
}

/** The tenant's feeds, newest first, with "load more"; refreshed every 2 s while any is on its way. */
export function useFeeds(tenantId: string) {
  return useInfiniteQuery({
    queryKey: feedKeys.list(tenantId),
    queryFn: ({ pageParam }) =>
      call<FeedsPage>('GET', '/api/feeds', { tenant_id: tenantId, limit: LIST_LIMIT, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    refetchInterval: (query) => (flattenFeeds(query.state.data).some(isActive) ? POLL_MS : false),
    staleTime: 0,
  })
}

/** One feed, read every 2 s until it is final; then the list and its results are read again. */
export function useFeedStatus(tenantId: string, feedId: string) {
  const queryClient = useQueryClient()
  const query = useQuery({
    queryKey: feedKeys.status(tenantId, feedId),
    queryFn: () => call<FeedOut>('GET', feedPath(feedId, 'status'), { tenant_id: tenantId }),
    refetchInterval: (q) => (q.state.data && isFinal(q.state.data) ? false : POLL_MS),
    staleTime: 0,
  })
  const status = query.data?.status ?? null
  const previous = useRef<string | null>(null)
  useEffect(() => {
    if (status === null) return
    if (previous.current !== null && previous.current !== status) {
      void queryClient.invalidateQueries({ queryKey: feedKeys.list(tenantId) })
      if (status === 'done' || status === 'fatal') {
        void queryClient.invalidateQueries({ queryKey: feedKeys.allResults(tenantId, feedId) })
      }
    }
    previous.current = status
  }, [status, queryClient, tenantId, feedId])
  return query
}

/** One page of per-SKU outcomes: errors first, then warnings, then accepted. */
export function useFeedResults(tenantId: string, feedId: string, errorsOnly: boolean, cursor: string | null, enabled: boolean) {
  return useQuery({
    queryKey: feedKeys.results(tenantId, feedId, errorsOnly, cursor),
    queryFn: () =>
      call<FeedResultsPage>('GET', feedPath(feedId, 'results'), {
        tenant_id: tenantId,
        errors_only: errorsOnly ? 'true' : undefined,
        cursor,
        limit: RESULTS_LIMIT,
      }),
    placeholderData: keepPreviousData,
    enabled,
  })
}

/** The CSV read by the API: every row (wrong ones included, to fix here) and its issues per line. */
export function useParseCsv(tenantId: string) {
  return useMutation({
    mutationFn: (file: File) => {
      const form = new FormData()
      form.append('file', file, file.name)
      // No Content-Type: the browser writes the multipart boundary itself.
      return send<BulkRowsOut>('POST', withQuery('/api/feeds/bulk/csv', { tenant_id: tenantId }), {}, form)
    },
  })
}

export function useCheckBulk(tenantId: string) {
  return useMutation({
    mutationFn: (body: BulkFeedIn) => call<BulkCheckOut>('POST', '/api/feeds/bulk/validate', { tenant_id: tenantId }, body),
  })
}

/** The rows sent as one feed or, beyond Amazon's 25,000 messages per feed, several (first rows first). */
export function useSubmitBulk(tenantId: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: BulkFeedIn) => call<BulkSubmitted>('POST', '/api/feeds/bulk', { tenant_id: tenantId }, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: feedKeys.list(tenantId) }),
  })
}

export interface RawFeed {
  connectionId: string
  contentType: string
  file: File
  feedType: string
  marketplaceIds: string[]
}

/**
 * The raw path in three calls: a draft with its declared content type, the file PUT to our upload target
 * with exactly that type (anything else is refused), then the feed itself.
 */
export function useSubmitRaw(tenantId: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: async (raw: RawFeed) => {
      const target = await call<FeedDocumentOut>(
        'POST',
        '/api/feeds/createDocument',
        { tenant_id: tenantId },
        { connectionId: raw.connectionId, contentType: raw.contentType } satisfies FeedDocumentCreate,
      )
      if (raw.file.size > target.max_bytes) {
        throw new ApiError(413, 'payload_too_large', `The file is larger than the ${target.max_bytes.toLocaleString()} bytes a feed may have.`)
      }
      await send<FeedOut>('PUT', withQuery(target.upload_url, { tenant_id: tenantId }), { 'Content-Type': target.content_type }, raw.file)
      const create: FeedCreate = {
        inputFeedDocumentId: target.feed_id,
        feedType: raw.feedType,
        marketplaceIds: raw.marketplaceIds,
      }
      return call<FeedOut>('POST', '/api/feeds/create', { tenant_id: tenantId }, create)
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: feedKeys.list(tenantId) }),
  })
}
