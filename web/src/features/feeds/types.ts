/**
 * The Feeds API's shapes, from the generated client (`app/feeds/schemas.py`). The rest of the feature
 * imports them from here only. Answers are snake_case; requests are written in the camelCase names the
 * generated client shows for them (the API takes either).
 */
import type { components } from '@/client'

type Schemas = components['schemas']

export type FeedOut = Schemas['FeedOut']
export type FeedsPage = Schemas['FeedsPage']
export type FeedSummary = Schemas['FeedSummaryOut']
export type FeedDocumentCreate = Schemas['FeedDocumentCreate']
export type FeedDocumentOut = Schemas['FeedDocumentOut']
export type FeedCreate = Schemas['FeedCreate']
export type FeedIssueOut = Schemas['FeedIssueOut']
export type FeedResultOut = Schemas['FeedResultOut']
export type FeedResultIssue = Schemas['FeedResultIssueOut']
export type FeedResultCounts = Schemas['FeedResultCounts']
export type FeedResultsPage = Schemas['FeedResultsPage']
export type BulkRowsOut = Schemas['BulkRowsOut']
export type BulkCheckOut = Schemas['BulkCheckOut']
export type BulkFeedIn = Schemas['BulkFeedIn']
/** A row as the CSV route answers it, and as the bulk routes read it. */
export type BulkRowOut = Schemas['BulkRowIn-Output']
export type BulkRowIn = Schemas['BulkRowIn-Input']

/** Ours: draft (raw, waiting for its file), pending, uploaded, submitting, processing, then a final one. */
export type FeedStatus = FeedOut['status']
export type FeedSource = FeedOut['source']
export type FeedResultStatus = FeedResultOut['status']
