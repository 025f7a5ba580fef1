"""Amazon's JSON processing report of a listings feed (`listings-feed-processing-report-schema-v2`) ->
one outcome per message of the feed we sent, accepted ones included, and the issues of the whole feed.

The report lists issues only: a message with none was accepted, unless Amazon processed nothing (a
feed-level error and no message accepted), in which case every message failed with the feed.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["accepted", "warning", "error"]

# The report's summary (camelCase) -> ours.
_SUMMARY_KEYS = {
    "errors": "errors",
    "warnings": "warnings",
    "messagesProcessed": "messages_processed",
    "messagesAccepted": "messages_accepted",
    "messagesInvalid": "messages_invalid",
}


@dataclass(frozen=True)
class MessageResult:
    message_id: int
    sku: str | None
    status: Status
    issues: list[dict[str, Any]]  # {"code", "severity", "message", "attribute_names": [...]}


@dataclass(frozen=True)
class ProcessingReport:
    summary: dict[str, int]  # errors, warnings, messages_processed, messages_accepted, messages_invalid
    results: list[MessageResult]  # one per message of the input (accepted ones included), messageId order
    feed_issues: list[dict[str, Any]]  # issues with no messageId (the whole feed)


def _issue(raw: Mapping[str, Any]) -> dict[str, Any]:
    names = raw.get("attributeNames")
    if not isinstance(names, list):
        single = raw.get("attributeName")
        names = [single] if isinstance(single, str) and single else []
    code = raw.get("code")
    return {
        "code": str(code) if code is not None else None,
        "severity": str(raw.get("severity") or "ERROR").upper(),
        "message": str(raw.get("message") or ""),
        "attribute_names": [str(name) for name in names],
    }


def _status(issues: list[dict[str, Any]]) -> Status:
    severities = {issue["severity"] for issue in issues}
    if "ERROR" in severities:
        return "error"
    return "warning" if "WARNING" in severities else "accepted"


def _document(content: bytes) -> dict[str, Any]:
    if content[:2] == b"\x1f\x8b":
        content = gzip.decompress(content)
    try:
        document = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"The processing report is not a JSON document ({error}).") from None
    if not isinstance(document, dict):
        raise ValueError("The processing report is not a JSON object with a summary and issues.")
    return document


def parse_processing_report(content: bytes, messages: Mapping[int, str]) -> ProcessingReport:
    """The JSON processing report (GZIP or not) against `messages` (messageId -> sku of the feed sent).

    Raises ValueError when the content is not a JSON processing report.
    """
    document = _document(content)
    by_message: dict[int, list[dict[str, Any]]] = {}
    report_skus: dict[int, str] = {}
    feed_issues: list[dict[str, Any]] = []
    raw_issues = document.get("issues")
    for raw in raw_issues if isinstance(raw_issues, list) else []:
        if not isinstance(raw, Mapping):
            continue
        message_id = raw.get("messageId")
        if isinstance(message_id, int) and not isinstance(message_id, bool):
            by_message.setdefault(message_id, []).append(_issue(raw))
            if isinstance(raw.get("sku"), str):
                report_skus.setdefault(message_id, raw["sku"])
        else:
            feed_issues.append(_issue(raw))

    raw_summary = document.get("summary")
    raw_summary = raw_summary if isinstance(raw_summary, Mapping) else {}
    summary = {ours: int(raw_summary.get(theirs) or 0) for theirs, ours in _SUMMARY_KEYS.items()}

    # Nothing applied: Amazon refused the feed as a whole (a FATAL feed's report), so a message without
    # issues of its own did not go through either; it carries the feed's errors.
    feed_errors = [issue for issue in feed_issues if issue["severity"] == "ERROR"]
    nothing_applied = summary["messages_accepted"] == 0 and (
        bool(feed_errors) or summary["messages_processed"] == 0
    )
    unprocessed = feed_errors or [
        {
            "code": None,
            "severity": "ERROR",
            "message": "Amazon processed no message of this feed.",
            "attribute_names": [],
        }
    ]

    results: list[MessageResult] = []
    # Messages the report names that the feed did not hold are kept too: they are Amazon's word.
    for message_id in sorted(messages.keys() | by_message.keys()):
        issues = by_message.get(message_id, [])
        sku = messages.get(message_id) or report_skus.get(message_id)
        if not issues and nothing_applied:
            results.append(MessageResult(message_id, sku, "error", [dict(issue) for issue in unprocessed]))
        else:
            results.append(MessageResult(message_id, sku, _status(issues), issues))
    return ProcessingReport(summary, results, feed_issues)
