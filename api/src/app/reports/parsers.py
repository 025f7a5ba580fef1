"""Streaming parsers for the stored report documents, and lenient converters for their cells.

Every parser reads the decompressed document as an `AsyncIterator[bytes]` and keeps at most one
chunk and one record in hand, whatever the file's size:

* flat files (TSV): decoded and split into lines as `amazon_http.documents.iter_lines` does, but a
  chunk at a time, cells by `str.split("\t")` (what `parse_tsv`'s `csv.reader(...,
  quoting=QUOTE_NONE)` does with a tab, without a reader and a dict per line: the loaders map
  cells by the header's positions);
* the sales-and-traffic report, one JSON document whose arrays can hold every ASIN of the
  seller: ijson's push parser (C backend) is fed chunk by chunk, and each array element is built
  and handed out on its own;
* Data Kiosk's JSON Lines: one `json.loads` per line.

Converters never raise: a cell Amazon left empty or wrote unexpectedly ("N/A", "--") is NULL, not a
failed load of a million-line file.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

import ijson

from app.amazon_http.documents import iter_lines

# ijson is fed at most this much at a time: its event list stays bounded even when the storage
# hands out large chunks.
_JSON_FEED = 64 * 1024


async def tsv_lines(chunks: AsyncIterator[bytes], encoding: str = "utf-8") -> AsyncIterator[list[str]]:
    """The non-empty lines of a flat file, a chunk's worth at a time (the header first: read it
    with `header_cells`, the rows with `line.split("\t")`).

    `iter_lines`'s decoding and line splitting, done per chunk rather than per line: each async
    generator step costs about a microsecond, a tenth of a row's whole mapping at a million lines.
    Lines stay strings until the loader maps them one at a time: a chunk's worth of cell lists
    alive at once kept Python's garbage collector busy (a third of the mapping's CPU)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    pending = ""
    final = False
    source = aiter(chunks)
    while not final:
        try:
            pending += decoder.decode(await anext(source))
        except StopAsyncIteration:
            pending += decoder.decode(b"", final=True)
            final = True
        *lines, pending = pending.split("\n")
        if final and pending:
            lines.append(pending)
        block = [line.rstrip("\r") for line in lines if line and line != "\r"]
        if block:
            yield block


def header_cells(line: str) -> list[str]:
    """A flat file's header: names lower-cased, BOM and padding removed."""
    return [c.strip().lstrip("\ufeff").lower() for c in line.split("\t")]


async def tsv(chunks: AsyncIterator[bytes], encoding: str = "utf-8") -> AsyncIterator[list[str]]:
    """Each line's cells, the header's first (as `header_cells` reads it)."""
    header_seen = False
    async for block in tsv_lines(chunks, encoding):
        for line in block:
            if header_seen:
                yield line.split("\t")
            else:
                header_seen = True
                yield header_cells(line)


async def json_lines(chunks: AsyncIterator[bytes]) -> AsyncIterator[dict[str, Any]]:
    async for line in iter_lines(chunks):
        if line.strip():
            record = json.loads(line)
            if isinstance(record, dict):
                yield record


# (the element's prefix in the document, what it is)
_SALES_TRAFFIC_PARTS = {
    "reportSpecification": "spec",
    "salesAndTrafficByDate.item": "date",
    "salesAndTrafficByAsin.item": "asin",
}


async def sales_traffic_items(chunks: AsyncIterator[bytes]) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """("spec", reportSpecification), ("date", an element of salesAndTrafficByDate), ("asin", ...)
    in document order; each element is built alone (numbers as int or Decimal)."""
    events: Any = ijson.sendable_list()
    coro = ijson.parse_coro(events)
    builder: Any = None
    building: tuple[str, str] | None = None

    def drain() -> Iterator[tuple[str, dict[str, Any]]]:
        nonlocal builder, building
        for prefix, event, value in events:
            if builder is not None and building is not None:
                builder.event(event, value)
                if prefix == building[0] and event == "end_map":
                    yield building[1], builder.value
                    builder, building = None, None
            elif event == "start_map" and prefix in _SALES_TRAFFIC_PARTS:
                builder = ijson.ObjectBuilder()
                builder.event(event, value)
                building = (prefix, _SALES_TRAFFIC_PARTS[prefix])
        del events[:]

    async for chunk in chunks:
        for start in range(0, len(chunk), _JSON_FEED):
            coro.send(chunk[start : start + _JSON_FEED])
            for item in drain():
                yield item
    coro.close()
    for item in drain():
        yield item


# -- cells ------------------------------------------------------------------------------------------

_NUMBER_JUNK = re.compile(r"[^\d,.\-]")


def to_decimal(value: Any) -> Decimal | None:
    """A number as Amazon writes it: "1234.5", "1,234.50", EU "1.234,50" or "95,00" (settlement V2
    writes amounts in the marketplace's own format), a currency sign; JSON numbers as they are."""
    if type(value) is str:  # a flat file's cell: the hot path, no other test first
        if not value:
            return None
        text = value
    elif value is None:
        return None
    elif isinstance(value, Decimal):
        return value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    else:
        text = str(value)
    try:
        number = Decimal(text)
        return number if number.is_finite() else None  # "NaN", "Infinity": not an amount
    except InvalidOperation:
        pass
    text = _NUMBER_JUNK.sub("", text)
    if "," in text:
        if "." in text and text.rfind(".") > text.rfind(","):
            text = text.replace(",", "")  # 1,234.50
        elif "." in text or re.search(r",\d{1,2}$", text):
            text = text.replace(".", "").replace(",", ".")  # 1.234,50 / 95,00
        else:
            text = text.replace(",", "")  # 1,234
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def to_int(value: Any) -> int | None:
    if type(value) is str:
        if not value:
            return None
    elif value is None:
        return None
    elif isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        number = to_decimal(value)
        return int(number) if number is not None else None


_TRUE = frozenset({"yes", "y", "true", "1"})
_FALSE = frozenset({"no", "n", "false", "0"})


def to_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


# Zone abbreviations Amazon's flat files end their times with (listings: "2023-01-12 08:10:12 PST").
_ZONES = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "PST": -8,
    "PDT": -7,
    "MST": -7,
    "MDT": -6,
    "CST": -6,
    "CDT": -5,
    "EST": -5,
    "EDT": -4,
    "BST": 1,
    "CET": 1,
    "CEST": 2,
    "MET": 1,
    "MEST": 2,
    "EET": 2,
    "EEST": 3,
    "IST": 5.5,
    "JST": 9,
    "AEST": 10,
    "AEDT": 11,
    "SGT": 8,
    "BRT": -3,
    "GST": 4,
}
_ZONE_INFO = {name: timezone(timedelta(hours=hours)) for name, hours in _ZONES.items()}
_ZONE_OFFSET = {
    name: f"{'-' if hours < 0 else '+'}{int(abs(hours)):02d}:{int(abs(hours) * 60) % 60:02d}"
    for name, hours in _ZONES.items()
}
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(.*)$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2,4})(.*)$")


def to_datetime(value: Any) -> datetime | None:
    """An instant (UTC when the text names no zone): ISO-8601, "2024-01-01 08:00:00 UTC",
    "2023-01-12 08:10:12 PST", EU settlement "08.03.2021 14:23:27 UTC", US "03/08/2021"."""
    if value is None or value == "":
        return None
    text = value.strip() if type(value) is str else str(value).strip()
    moment: datetime | None
    if len(text) == 23 and text[19] == " " and text[10] == " ":
        # "2023-01-12 08:10:12 PST", every line of a listings file: the common case, in one parse.
        offset = _ZONE_OFFSET.get(text[20:])
        if offset is not None:
            try:
                return datetime.fromisoformat(text[:19] + offset)
            except ValueError:
                pass  # "08.03.2021 14:23:27 UTC" (EU settlements): the general path below
    if text[-1].isalpha() and text[-1] != "Z":
        moment = _loose_datetime(text)  # a zone's name ("... PST"): not ISO, skip the attempt
    else:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            moment = _loose_datetime(text)
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _loose_datetime(text: str) -> datetime | None:
    head, _, last = text.rpartition(" ")
    zone = _ZONE_INFO.get(last.upper()) if head else None
    if zone is not None:
        text = head
    if text[:4].isdigit():
        try:
            moment = datetime.fromisoformat(text)
            return moment.replace(tzinfo=zone) if zone is not None else moment
        except ValueError:
            pass
    for pattern, order in ((_DOTTED, "dmy"), (_SLASHED, "mdy")):
        match = pattern.match(text)
        if match:
            a, b, year, rest = match.groups()
            day, month = (a, b) if order == "dmy" else (b, a)
            year = year if len(year) == 4 else f"20{year}"
            text = f"{year}-{int(month):02d}-{int(day):02d}{rest}"
            break
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if zone is not None:
        moment = moment.replace(tzinfo=zone)
    return moment


def to_date(value: Any) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if value is None or value == "":
        return None
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        moment = to_datetime(text)
        return moment.date() if moment is not None else None


def text_or_none(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
