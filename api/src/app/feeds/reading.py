"""What a JSON_LISTINGS_FEED's processing report means for the feed: the per-message rows of
`feed_results`, the summary kept on the feed, and a sentence for issues about the whole feed.

The parsing itself is `results.parse_processing_report` (pure); the SKU of each message comes from
the stored input (`feed_schema.listing_messages`): Amazon's report names only the messageId."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog

from app.feeds.feed_schema import listing_messages
from app.feeds.repository import ResultRow
from app.feeds.results import parse_processing_report

log = structlog.get_logger("app.feeds")

SUMMARY_KEYS = ("errors", "warnings", "messages_processed", "messages_accepted", "messages_invalid")
# Feed-wide issues quoted in the feed's `error` sentence (the report holds them all).
FEED_ISSUES_QUOTED = 3


@dataclass(frozen=True)
class ReportResults:
    rows: list[ResultRow]
    summary: dict[str, int]
    feed_error: str | None


def feed_report_results(report: bytes, input_content: bytes) -> ReportResults | None:
    """The results of a stored report, or None when it is not a JSON processing report."""
    messages = listing_messages(input_content) if input_content else {}
    try:
        parsed = parse_processing_report(report, messages)
    except ValueError:
        log.info("feeds.report_unreadable", size_bytes=len(report))
        return None
    rows = [ResultRow(r.message_id, r.sku, r.status, [dict(i) for i in r.issues]) for r in parsed.results]
    summary = {key: int(parsed.summary.get(key, 0)) for key in SUMMARY_KEYS}
    return ReportResults(rows, summary, _feed_error(parsed.feed_issues))


def _feed_error(issues: list[dict[str, Any]]) -> str | None:
    if not issues:
        return None
    quoted = "; ".join(str(i.get("message") or i.get("code") or "") for i in issues[:FEED_ISSUES_QUOTED])
    more = f" (and {len(issues) - FEED_ISSUES_QUOTED} more)" if len(issues) > FEED_ISSUES_QUOTED else ""
    return f"Amazon reported issues with the whole feed: {quoted}{more}."
