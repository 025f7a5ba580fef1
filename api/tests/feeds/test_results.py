"""parse_processing_report: Amazon's JSON processing report -> one outcome per message we sent."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from app.feeds.results import MessageResult, parse_processing_report

SENT = {1: "A", 2: "B", 3: "C", 4: "D"}


def report(issues: list[dict[str, Any]], **summary: int) -> bytes:
    counts = {"errors": 0, "warnings": 0, "messagesProcessed": 4, "messagesAccepted": 4, "messagesInvalid": 0}
    return json.dumps(
        {
            "header": {"sellerId": "A1SELLER", "version": "2.0", "feedId": "50001"},
            "issues": issues,
            "summary": {**counts, **summary},
        }
    ).encode()


def test_every_message_gets_a_status_errors_warnings_and_accepted() -> None:
    content = report(
        [
            {"messageId": 2, "sku": "B", "code": "90220", "severity": "ERROR", "message": "bad price",
             "attributeName": "purchasable_offer"},
            {"messageId": 2, "sku": "B", "code": "18448", "severity": "WARNING", "message": "also"},
            {"messageId": 3, "sku": "C", "code": "18448", "severity": "WARNING", "message": "incomplete",
             "attributeNames": ["item_weight", "theme"]},
            {"messageId": 4, "sku": "D", "code": 1, "severity": "INFO", "message": "fyi"},
        ],
        errors=1, warnings=2, messagesAccepted=3, messagesInvalid=1,
    )  # fmt: skip
    parsed = parse_processing_report(content, SENT)
    assert parsed.summary == {
        "errors": 1, "warnings": 2, "messages_processed": 4, "messages_accepted": 3, "messages_invalid": 1,
    }  # fmt: skip
    assert [(r.message_id, r.sku, r.status) for r in parsed.results] == [
        (1, "A", "accepted"), (2, "B", "error"), (3, "C", "warning"), (4, "D", "accepted"),
    ]  # fmt: skip
    assert parsed.results[0].issues == []
    assert parsed.results[1].issues[0] == {
        "code": "90220", "severity": "ERROR", "message": "bad price",
        "attribute_names": ["purchasable_offer"],
    }  # fmt: skip
    assert parsed.results[2].issues[0]["attribute_names"] == ["item_weight", "theme"]
    assert parsed.results[3].issues[0]["code"] == "1"
    assert parsed.feed_issues == []


def test_gzip_and_feed_level_issues() -> None:
    content = report([{"severity": "WARNING", "message": "locale not supported, en_US used"}], warnings=1)
    parsed = parse_processing_report(gzip.compress(content), SENT)
    assert parsed.feed_issues == [
        {
            "code": None,
            "severity": "WARNING",
            "message": "locale not supported, en_US used",
            "attribute_names": [],
        }
    ]
    assert {r.status for r in parsed.results} == {"accepted"}


def test_a_refused_feed_fails_every_message_with_the_feeds_error() -> None:
    content = report(
        [{"code": "4000", "severity": "ERROR", "message": "The feed is malformed."}],
        errors=1, messagesProcessed=0, messagesAccepted=0,
    )  # fmt: skip
    parsed = parse_processing_report(content, {1: "A", 2: "B"})
    assert [(r.status, r.issues[0]["message"]) for r in parsed.results] == [
        ("error", "The feed is malformed."), ("error", "The feed is malformed."),
    ]  # fmt: skip


def test_nothing_processed_without_a_reason_still_is_no_success() -> None:
    parsed = parse_processing_report(report([], messagesProcessed=0, messagesAccepted=0), {1: "A"})
    assert parsed.results == [
        MessageResult(1, "A", "error", [{"code": None, "severity": "ERROR",
                                         "message": "Amazon processed no message of this feed.",
                                         "attribute_names": []}])
    ]  # fmt: skip


def test_a_message_the_feed_did_not_hold_is_kept_with_the_reports_sku() -> None:
    content = report([{"messageId": 9, "sku": "Z", "severity": "ERROR", "message": "unknown"}])
    parsed = parse_processing_report(content, {1: "A"})
    assert [(r.message_id, r.sku, r.status) for r in parsed.results] == [
        (1, "A", "accepted"),
        (9, "Z", "error"),
    ]


@pytest.mark.parametrize("content", [b"<xml/>", b"[1]", b"\xff\xfe"])
def test_not_a_json_report_is_a_value_error(content: bytes) -> None:
    with pytest.raises(ValueError, match="processing report"):
        parse_processing_report(content, SENT)
