"""Feed processing: what Amazon's processing report says about an uploaded feed.

* ``JSON_LISTINGS_FEED``: a JSON processing report ``{header, issues[], summary}``. A message is invalid when
  it has no integer ``messageId`` or no ``sku``, an unknown ``operationType``, no ``productType`` for
  UPDATE/PATCH, no ``attributes`` for UPDATE or no ``patches`` for PATCH. A document that is not a JSON
  object with a ``header`` and ``messages`` makes the feed FATAL.
* Flat-file feeds (``POST_FLAT_FILE_INVLOADER_DATA``, ``POST_FLAT_FILE_LISTINGS_DATA``,
  ``POST_INVENTORY_AVAILABILITY_DATA`` as TSV...): the text report with the summary and one line per
  rejected record (a record without ``sku``, or with a non-integer ``quantity``).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from typing import Any

JSON_LISTINGS_FEED = "JSON_LISTINGS_FEED"
FLAT_FILE_FEEDS = frozenset(
    {
        "POST_FLAT_FILE_INVLOADER_DATA",
        "POST_FLAT_FILE_LISTINGS_DATA",
        "POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA",
    }
)
SUPPORTED_FEEDS = frozenset({JSON_LISTINGS_FEED, *FLAT_FILE_FEEDS})
OPERATIONS = ("UPDATE", "PARTIAL_UPDATE", "DELETE", "PATCH")


def decode(content: bytes) -> str:
    if content[:2] == b"\x1f\x8b":
        content = gzip.decompress(content)
    return content.decode("utf-8-sig", errors="replace")


def _issue(message_id: Any, code: str, message: str, attribute: str | None = None) -> dict[str, Any]:
    issue: dict[str, Any] = {"messageId": message_id, "code": code, "severity": "ERROR", "message": message}
    if attribute:
        issue["attributeName"] = attribute
    return issue


def _message_issues(index: int, message: Any) -> list[dict[str, Any]]:
    if not isinstance(message, dict):
        return [_issue(index + 1, "4000001", "The message is not a JSON object.")]
    message_id = message.get("messageId")
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        return [_issue(index + 1, "4000001", "messageId is required and must be an integer.", "messageId")]
    issues = []
    operation = message.get("operationType")
    if not isinstance(message.get("sku"), str) or not message["sku"].strip():
        issues.append(_issue(message_id, "4000001", "The required field 'sku' is missing.", "sku"))
    if operation not in OPERATIONS:
        issues.append(
            _issue(
                message_id,
                "4000001",
                f"operationType must be one of {', '.join(OPERATIONS)}.",
                "operationType",
            )
        )
    if operation in ("UPDATE", "PATCH") and not isinstance(message.get("productType"), str):
        issues.append(
            _issue(message_id, "4000001", "productType is required for this operationType.", "productType")
        )
    if operation == "UPDATE" and not isinstance(message.get("attributes"), dict):
        issues.append(_issue(message_id, "4000001", "attributes are required for UPDATE.", "attributes"))
    if operation == "PATCH" and not (isinstance(message.get("patches"), list) and message["patches"]):
        issues.append(_issue(message_id, "4000001", "patches are required for PATCH.", "patches"))
    return issues


def process_json_listings(seller_id: str, feed_id: str, text: str) -> tuple[bool, bytes]:
    """(ok, processing report); ``ok`` is False when the whole feed is unreadable (FATAL)."""
    header = {"sellerId": seller_id, "version": "2.0", "feedId": feed_id}
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        document = None
        reason = f"The feed is not valid JSON: {exc.msg} at line {exc.lineno}."
    else:
        reason = "The feed must be a JSON object with a header and a messages array."
    valid = (
        isinstance(document, dict)
        and isinstance(document.get("header"), dict)
        and isinstance(document.get("messages"), list)
    )
    if not valid:
        report = {
            "header": header,
            "issues": [{"code": "4000000", "severity": "ERROR", "message": reason}],
            "summary": {"errors": 1, "warnings": 0, "messagesProcessed": 0}
            | {"messagesAccepted": 0, "messagesInvalid": 0},
        }
        return False, json.dumps(report).encode()
    assert isinstance(document, dict)
    issues: list[dict[str, Any]] = []
    invalid = 0
    messages = document["messages"]
    for index, message in enumerate(messages):
        found = _message_issues(index, message)
        invalid += bool(found)
        issues.extend(found)
    report = {
        "header": header,
        "issues": issues,
        "summary": {
            "errors": len(issues),
            "warnings": 0,
            "messagesProcessed": len(messages),
            "messagesAccepted": len(messages) - invalid,
            "messagesInvalid": invalid,
        },
    }
    return True, json.dumps(report).encode()


def process_flat_file(text: str) -> tuple[bool, bytes]:
    lines = [line for line in text.splitlines() if line.strip()]
    reader = csv.DictReader(io.StringIO("\n".join(lines)), delimiter="\t", quoting=csv.QUOTE_NONE)
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "sku" not in fields:
        report = (
            "Feed Processing Summary:\n\tNumber of records processed\t\t0\n"
            "\tNumber of records successful\t\t0\n\n"
            "original-record-number\tsku\terror-code\terror-type\terror-message\n"
            "0\t\t90000\tError\tThe file has no header row with a 'sku' column.\n"
        )
        return False, report.encode()
    errors = []
    processed = 0
    for number, row in enumerate(reader, start=1):
        processed += 1
        record = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        sku = record.get("sku", "")
        if not sku:
            errors.append(f"{number}\t\t8560\tError\tThe SKU field is missing.")
        elif record.get("quantity") and not record["quantity"].isdigit():
            errors.append(f"{number}\t{sku}\t90220\tError\tThe quantity must be a whole number.")
    report = (
        "Feed Processing Summary:\n"
        f"\tNumber of records processed\t\t{processed}\n"
        f"\tNumber of records successful\t\t{processed - len(errors)}\n\n"
    )
    if errors:
        report += (
            "original-record-number\tsku\terror-code\terror-type\terror-message\n" + "\n".join(errors) + "\n"
        )
    return True, report.encode()


def process(feed_type: str, seller_id: str, feed_id: str, content: bytes) -> tuple[bool, bytes, str]:
    """(ok, report, content type) for a feed of ``feed_type``."""
    text = decode(content)
    if feed_type == JSON_LISTINGS_FEED:
        ok, report = process_json_listings(seller_id, feed_id, text)
        return ok, report, "application/json"
    ok, report = process_flat_file(text)
    return ok, report, "text/plain; charset=UTF-8"
