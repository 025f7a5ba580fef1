"""The guided bulk update: a CSV of SKUs with a new price and/or quantity -> rows the user can fix ->
a `JSON_LISTINGS_FEED` of PATCH messages, checked against Amazon's schemas before it is sent.

Every problem is a sentence naming the line (as a spreadsheet shows it: the header is line 1, blank
lines count) and the column.
"""

from __future__ import annotations

import csv
import io
import json
import operator
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from app.connections.amazon import MARKETPLACES_BY_ID
from app.feeds.feed_schema import FeedIssue, FeedSchemas, IssueList, check_listings_feed

BULK_COLUMNS = ("sku", "price", "currency", "quantity", "handling_time")  # handling_time optional

# Amazon's limits on a listing's fields (Listings Items API) and on one JSON listings feed (the feed
# schema's messages.maxItems, used when the schemas are not available).
MAX_SKU_LENGTH = 40
MAX_QUANTITY = 2_147_483_647
HANDLING_DAYS = range(1, 31)
AMAZON_MAX_MESSAGES = 25_000
# A price is a plain decimal: more than 9 whole digits is a typo, and would not survive as a JSON number.
_PRICE = re.compile(r"\d{1,9}(?:\.\d{1,2})?")
_WHOLE_PRICE = re.compile(r"\d{1,9}")
_COMMA_DECIMAL = re.compile(r"\d+,\d{1,2}")
_WHOLE = re.compile(r"\d+")
_CURRENCY_CODE = re.compile(r"[A-Za-z]{3}")
# Currencies without minor units on Amazon: a price there is a whole number.
_WHOLE_CURRENCIES = frozenset({"JPY"})

# The product type of a PATCH that only touches offer attributes: Amazon keeps the listing's own.
PRODUCT_TYPE = "PRODUCT"
FULFILLMENT_CHANNEL = "DEFAULT"  # merchant-fulfilled quantity
_SNIFF_BYTES = 64 * 1024
_SERIALIZE_BATCH = 5_000


@dataclass(frozen=True, slots=True)
class BulkRow:
    """Strings exactly as the user typed them ("" when empty); line = CSV line."""

    line: int
    sku: str
    price: str = ""
    currency: str = ""
    quantity: str = ""
    handling_time: str = ""


@dataclass(frozen=True)
class BuiltFeed:
    content: bytes  # the JSON_LISTINGS_FEED, UTF-8
    messages: dict[int, str]  # messageId -> sku
    message_count: int
    schema_checked: bool


# --- CSV -> rows -------------------------------------------------------------------------------------


def _issue(line: int | None, column: str | None, text: str, sku: str | None = None) -> FeedIssue:
    where = f"Line {line}" if line is not None else "The file"
    if column:
        where += f", column {column}"
    return FeedIssue(line, sku or None, column, f"{where}: {text}")


def _decode(content: bytes) -> tuple[str | None, FeedIssue | None]:
    try:
        return content.decode("utf-8-sig"), None  # Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        byte = content[error.start : error.start + 1].hex().upper()
        return None, _issue(
            line,
            None,
            f"the file is not UTF-8 text (the byte 0x{byte} cannot be read); save it as "
            '"CSV UTF-8" and upload it again.',
        )


def _delimiter(text: str) -> str:
    """Comma, semicolon or tab: what csv.Sniffer sees, unless the header reads better with another."""
    sample = text[:_SNIFF_BYTES]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        sniffed = ","
    header = next((line for line in sample.splitlines() if line.strip()), "")

    def known(delimiter: str) -> int:
        names = next(csv.reader([header], delimiter=delimiter), [])
        return sum(name.strip().lower() in BULK_COLUMNS for name in names)

    best = max((",", ";", "\t"), key=known)
    return sniffed if known(sniffed) >= known(best) else best


def _records(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """(first line of the record, its cells stripped), blank lines skipped."""
    last = 0
    for cells in reader:
        line, last = last + 1, reader.line_num
        stripped = [cell.strip() for cell in cells]
        if any(stripped):
            yield line, stripped


def _header(line: int, names: list[str]) -> tuple[list[str], list[FeedIssue]]:
    while names and not names[-1]:
        names = names[:-1]  # a trailing delimiter on the header line
    columns = [name.lower() for name in names]
    issues: list[FeedIssue] = []
    expected = ", ".join(BULK_COLUMNS)
    for position, name in enumerate(columns, start=1):
        if not name:
            issues.append(
                _issue(line, None, f"column {position} has no name: name it ({expected}) or remove it.")
            )
        elif name not in BULK_COLUMNS:
            issues.append(
                _issue(
                    line,
                    names[position - 1],
                    f"the column {names[position - 1]!r} is not one we "
                    f"take; remove it (the columns are {expected}; handling_time is optional).",
                )
            )
        elif columns.index(name) < position - 1:
            issues.append(_issue(line, name, f"the column {name} appears twice; keep one."))
    if "sku" not in columns:
        issues.append(_issue(line, None, "the column sku is missing: every row names the SKU it changes."))
    if "price" not in columns and "quantity" not in columns:
        issues.append(_issue(line, None, "there is neither a price nor a quantity column: add at least one."))
    if "price" in columns and "currency" not in columns:
        issues.append(_issue(line, None, "the column currency is missing: a price needs its currency."))
    return columns, issues


def parse_csv(content: bytes, *, max_rows: int) -> tuple[list[BulkRow], list[FeedIssue]]:
    """Rows of a bulk CSV (UTF-8, BOM ok; comma, semicolon or tab; a header line naming BULK_COLUMNS).

    Every row comes back, wrong ones too (the panel lets the user fix them), with the problems found
    per line; the currency is checked against a marketplace later (`check_rows`). A header problem
    returns no rows.
    """
    text, unreadable = _decode(content)
    if text is None:
        return [], [unreadable] if unreadable else []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    records = _records(reader)
    issues = IssueList()
    rows: list[BulkRow] = []
    try:
        first = next(records, None)
        if first is None:
            return [], [
                _issue(
                    None,
                    None,
                    f"the file is empty: its first line names the columns ({', '.join(BULK_COLUMNS)}).",
                )
            ]
        header_line, names = first
        columns, header_issues = _header(header_line, names)
        if header_issues:
            return [], header_issues
        width = len(columns)
        # Each BulkRow field's cell, by position; a column the file lacks reads the "" padded at `width`.
        pick = operator.itemgetter(
            *(columns.index(name) if name in columns else width for name in BULK_COLUMNS)
        )
        padding = [""] * (width + 1)
        for line, cells in records:
            if len(rows) >= max_rows:
                issues.add(
                    _issue(
                        line,
                        None,
                        f"the file has more than {max_rows:,} rows, the most one upload may "
                        "hold; split it into smaller files.",
                    )
                )
                break
            values = pick(cells[:width] + padding[min(len(cells), width) :])
            if len(cells) > width and any(cells[width:]):
                issues.add(
                    _issue(
                        line,
                        None,
                        f"the line has {len(cells)} values but line {header_line} names "
                        f"{width} columns; remove the extra values.",
                        values[0],
                    )
                )
            rows.append(BulkRow(line, *values))
    except csv.Error as error:
        issues.add(_issue(reader.line_num, None, f"the CSV cannot be read ({error})."))
    issues.extend(_check_rows(rows, currency=None))
    return rows, issues.result()


# --- rows -> problems -----------------------------------------------------------------------------------


def _check_rows(rows: Sequence[BulkRow], *, currency: str | None) -> list[FeedIssue]:
    """Per-line problems; `currency` is the marketplace's (None: only its form is checked)."""
    issues = IssueList()
    first_line: dict[str, int] = {}
    for row in rows:
        line, sku = row.line, row.sku
        if not sku:
            issues.add(_issue(line, "sku", "the SKU is empty: every row names the SKU it changes."))
        elif len(sku) > MAX_SKU_LENGTH:
            issues.add(
                _issue(
                    line,
                    "sku",
                    f"the SKU {sku!r} has {len(sku)} characters; Amazon allows at most {MAX_SKU_LENGTH}.",
                    sku,
                )
            )
        elif sku in first_line:
            issues.add(
                _issue(
                    line,
                    "sku",
                    f"the SKU {sku} is already on line {first_line[sku]}; give each SKU one row.",
                    sku,
                )
            )
        else:
            first_line[sku] = line
        if not row.price and not row.quantity:
            issues.add(
                _issue(line, "price", "neither a price nor a quantity is given; fill in at least one.", sku)
            )
        if row.price:
            issues.extend(_price_issues(row, currency))
        if row.quantity and not (_WHOLE.fullmatch(row.quantity) and int(row.quantity) <= MAX_QUANTITY):
            issues.add(
                _issue(
                    line,
                    "quantity",
                    f"{row.quantity!r} is not a quantity: write a whole number of 0 or more, such as 12.",
                    sku,
                )
            )
        if row.handling_time:
            if not (_WHOLE.fullmatch(row.handling_time) and int(row.handling_time) in HANDLING_DAYS):
                issues.add(
                    _issue(
                        line,
                        "handling_time",
                        f"{row.handling_time!r} is not a handling time: write "
                        "a whole number of days from 1 to 30.",
                        sku,
                    )
                )
            elif not row.quantity:
                issues.add(
                    _issue(
                        line,
                        "handling_time",
                        "Amazon takes the handling time with the quantity: fill "
                        "in the quantity on this line too.",
                        sku,
                    )
                )
    return issues.result()


def _price_issues(row: BulkRow, currency: str | None) -> list[FeedIssue]:
    line, sku, price, given = row.line, row.sku, row.price, row.currency.upper()
    issues: list[FeedIssue] = []
    whole = given in _WHOLE_CURRENCIES or (not given and currency in _WHOLE_CURRENCIES)
    if _COMMA_DECIMAL.fullmatch(price):
        issues.append(
            _issue(
                line,
                "price",
                f"{price!r} is not a price: write it with a dot as the decimal "
                f"separator, such as {price.replace(',', '.')}.",
                sku,
            )
        )
    elif not (_WHOLE_PRICE if whole else _PRICE).fullmatch(price):
        form = "a whole number such as 1200" if whole else "a number with at most 2 decimals, such as 19.99"
        issues.append(_issue(line, "price", f"{price!r} is not a price: write {form}.", sku))
    elif float(price) <= 0:
        issues.append(_issue(line, "price", "the price must be more than 0.", sku))
    if not given:
        needed = f" ({currency} in this marketplace)" if currency else ""
        issues.append(_issue(line, "currency", f"a price needs its currency{needed}.", sku))
    elif currency is not None and given != currency:
        issues.append(
            _issue(
                line,
                "currency",
                f"{row.currency} is not the currency of this marketplace: Amazon takes "
                f"its prices in {currency}.",
                sku,
            )
        )
    elif not _CURRENCY_CODE.fullmatch(given):
        issues.append(
            _issue(line, "currency", f"{row.currency!r} is not a currency code such as USD or EUR.", sku)
        )
    return issues


def check_rows(rows: Sequence[BulkRow], *, marketplace_id: str) -> list[FeedIssue]:
    """sku required (<= 40 characters) and unique in the file (a repeat names the first line); a price
    and/or a quantity; price a positive decimal with at most 2 places (whole in JPY); currency with a
    price, the marketplace's own; quantity a whole number >= 0; handling_time 1..30 days, with a quantity.
    """
    marketplace = MARKETPLACES_BY_ID.get(marketplace_id)
    if marketplace is None:
        return [
            FeedIssue(
                None, None, None, f"The marketplace {marketplace_id} is not one of Amazon's marketplaces."
            )
        ]
    return _check_rows(rows, currency=marketplace.currency)


# --- rows -> feed ---------------------------------------------------------------------------------------


def _message(message_id: int, row: BulkRow, marketplace_id: str, currency: str) -> dict[str, Any]:
    patches: list[dict[str, Any]] = []
    if row.price:
        offer = {
            "marketplace_id": marketplace_id,
            "currency": currency,
            # float: a checked decimal of <= 9 + 2 digits, which a JSON number carries exactly.
            "our_price": [{"schedule": [{"value_with_tax": float(row.price)}]}],
        }
        patches.append({"op": "replace", "path": "/attributes/purchasable_offer", "value": [offer]})
    if row.quantity:
        availability: dict[str, Any] = {
            "fulfillment_channel_code": FULFILLMENT_CHANNEL,
            "quantity": int(row.quantity),
        }
        if row.handling_time:
            availability["lead_time_to_ship_max_days"] = int(row.handling_time)
        patches.append(
            {"op": "replace", "path": "/attributes/fulfillment_availability", "value": [availability]}
        )
    return {
        "messageId": message_id,
        "sku": row.sku,
        "operationType": "PATCH",
        "productType": PRODUCT_TYPE,
        "patches": patches,
    }


def _serialize(rows: Sequence[BulkRow], header: dict[str, str], marketplace_id: str, currency: str) -> bytes:
    """The feed's JSON, written a batch of messages at a time (never 100,000 dicts at once)."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    parts = ['{"header":', dumps(header), ',"messages":[']
    for start in range(0, len(rows), _SERIALIZE_BATCH):
        batch = [
            _message(start + offset + 1, row, marketplace_id, currency)
            for offset, row in enumerate(rows[start : start + _SERIALIZE_BATCH])
        ]
        if start:
            parts.append(",")
        parts.append(dumps(batch)[1:-1])
    parts.append("]}")
    return "".join(parts).encode("utf-8")


def messages_per_feed(schemas: FeedSchemas | None) -> int:
    """The most messages Amazon takes in one listings feed: the schema's messages.maxItems, or
    AMAZON_MAX_MESSAGES when the schemas are not available."""
    return (schemas.max_messages if schemas else None) or AMAZON_MAX_MESSAGES


def split_rows(rows: Sequence[BulkRow], per_feed: int) -> list[Sequence[BulkRow]]:
    """The rows in file order, in consecutive slices of at most `per_feed`: one per feed."""
    if per_feed < 1:
        raise ValueError(f"a feed holds at least one message, not {per_feed}")
    return [rows[start : start + per_feed] for start in range(0, len(rows), per_feed)]


def build_listings_feed(
    rows: Sequence[BulkRow],
    *,
    seller_id: str,
    marketplace_id: str,
    schemas: FeedSchemas | None,
    issue_locale: str = "en_US",
) -> tuple[BuiltFeed | None, list[FeedIssue]]:
    """One PATCH message per row (messageId = 1..n in row order): purchasable_offer when a price is
    given, fulfillment_availability (with lead_time_to_ship_max_days) when a quantity is; then the
    result is checked like any uploaded feed. Returns (None, issues) when anything is wrong, more
    rows than one feed may hold included (`build_listings_feeds` splits them instead)."""
    issues = check_rows(rows, marketplace_id=marketplace_id)
    if issues:
        return None, issues
    if not rows:
        return None, [_no_rows()]
    limit = messages_per_feed(schemas)
    if len(rows) > limit:
        first_over = rows[limit]
        return None, [
            _issue(
                first_over.line,
                None,
                f"Amazon accepts at most {limit:,} messages in one listings feed and there are "
                f"{len(rows):,} rows; this is row {limit + 1:,}: send the rows in several feeds of at "
                f"most {limit:,}.",
                first_over.sku,
            )
        ]
    return _build_checked(rows, seller_id, marketplace_id, schemas, issue_locale)


def build_listings_feeds(
    rows: Sequence[BulkRow],
    *,
    seller_id: str,
    marketplace_id: str,
    schemas: FeedSchemas | None,
    per_feed: int | None = None,
    issue_locale: str = "en_US",
) -> tuple[list[BuiltFeed], list[FeedIssue]]:
    """The rows as as many feeds as Amazon's per-feed limit needs (`per_feed`, default
    `messages_per_feed(schemas)`): file order kept, each feed's messageIds 1..n. The rows are
    checked once as a whole first, so a SKU repeated in two feeds' worth of rows is still refused.
    Returns ([], issues) when anything is wrong: nothing is sent unless every feed is good."""
    issues = check_rows(rows, marketplace_id=marketplace_id)
    if issues:
        return [], issues
    if not rows:
        return [], [_no_rows()]
    built: list[BuiltFeed] = []
    for part in split_rows(rows, per_feed or messages_per_feed(schemas)):
        feed, issues = _build_checked(part, seller_id, marketplace_id, schemas, issue_locale)
        if feed is None:
            return [], issues
        built.append(feed)
    return built, []


def _no_rows() -> FeedIssue:
    return FeedIssue(None, None, None, "There is no row to send: add at least one SKU.")


def _build_checked(
    rows: Sequence[BulkRow],
    seller_id: str,
    marketplace_id: str,
    schemas: FeedSchemas | None,
    issue_locale: str,
) -> tuple[BuiltFeed | None, list[FeedIssue]]:
    """The feed of rows `check_rows` passed, checked against the schemas like any upload."""
    currency = MARKETPLACES_BY_ID[marketplace_id].currency
    header = {"sellerId": seller_id, "version": "2.0", "issueLocale": issue_locale}
    content = _serialize(rows, header, marketplace_id, currency)
    check = check_listings_feed(content, schemas, seller_id=seller_id)
    if check.issues:
        # The rows were checked: a schema problem here is a fault of ours, shown on the row it came from.
        return None, [_our_fault(issue, rows) for issue in check.issues]
    return BuiltFeed(content, check.messages, check.message_count, check.schema_checked), []


def _our_fault(issue: FeedIssue, rows: Sequence[BulkRow]) -> FeedIssue:
    position = issue.line
    row = rows[position - 1] if position is not None and 0 < position <= len(rows) else None
    text = (
        f"the feed built from it does not follow Amazon's schema, a fault of ours to report: {issue.message}"
    )
    if row is None:
        return FeedIssue(
            None,
            None,
            issue.field,
            f"The feed does not follow Amazon's schema, a fault of ours to report: {issue.message}",
        )
    return FeedIssue(row.line, row.sku or None, issue.field, f"Line {row.line}: {text}")
