"""Feed processing: what Amazon's processing report says about an uploaded feed.

* ``JSON_LISTINGS_FEED``: the JSON processing report of :mod:`._listings_feed` (checks the messages against
  the seller's listings; the accepted price and quantity changes apply when the feed is DONE).
* Flat-file feeds (``POST_FLAT_FILE_INVLOADER_DATA``, ``POST_FLAT_FILE_LISTINGS_DATA``,
  ``POST_INVENTORY_AVAILABILITY_DATA`` as TSV...): the text report with the summary and one line per
  rejected record (a record without ``sku``, or with a non-integer ``quantity``).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import dataclass, field

from amazon_emulator.apis._listing_changes import FeedChanges
from amazon_emulator.apis._listings_feed import FeedContext, process_listings_feed

JSON_LISTINGS_FEED = "JSON_LISTINGS_FEED"
FLAT_FILE_FEEDS = frozenset(
    {
        "POST_FLAT_FILE_INVLOADER_DATA",
        "POST_FLAT_FILE_LISTINGS_DATA",
        "POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA",
    }
)
SUPPORTED_FEEDS = frozenset({JSON_LISTINGS_FEED, *FLAT_FILE_FEEDS})


@dataclass
class Processed:
    ok: bool  # False: the feed ends FATAL
    report: bytes
    content_type: str
    changes: FeedChanges = field(default_factory=dict)  # applied when the feed is DONE


def decode(content: bytes) -> str:
    if content[:2] == b"\x1f\x8b":
        content = gzip.decompress(content)
    return content.decode("utf-8-sig", errors="replace")


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


def process(feed_type: str, content: bytes, ctx: FeedContext) -> Processed:
    """The outcome, processing report and listing changes of a feed of ``feed_type``."""
    text = decode(content)
    if feed_type == JSON_LISTINGS_FEED:
        ok, report, changes = process_listings_feed(text, ctx)
        return Processed(ok, json.dumps(report).encode(), "application/json", changes)
    ok, flat = process_flat_file(text)
    return Processed(ok, flat, "text/plain; charset=UTF-8")
