"""Pre-signed document URLs (reports, Data Kiosk, feeds, Ads reports): stream, gunzip, parse.

The URLs are plain HTTPS (no Amazon token: sending one to S3 would leak it) and live only minutes,
so callers fetch the document record and download right away. Decompression is streamed: a
multi-gigabyte report never sits in memory. When the URL already answers with
`Content-Encoding: gzip`, httpx decodes it and the magic-byte check below skips the second gunzip
that broke other clients when Amazon switched that header on.
"""

from __future__ import annotations

import asyncio
import codecs
import csv
import json
import re
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import httpx
import msgspec

from app.amazon_http.errors import AmazonError, NotFound, ServerError, TransportError
from app.amazon_http.retry import RETRYABLE_STATUS, RetryPolicy

_GZIP_MAGIC = b"\x1f\x8b"
T = TypeVar("T")
_RETRY = RetryPolicy(max_attempts=3, base_s=0.5, cap_s=4.0)


class DocumentExpired(AmazonError):
    """The pre-signed URL is no longer valid: fetch the document record again for a fresh one."""


async def _gunzip(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    decoder: Any = None
    first = True
    async for chunk in chunks:
        if not chunk:
            continue
        if first:
            first = False
            if chunk[:2] != _GZIP_MAGIC:
                decoder = None
                yield chunk
                async for rest in chunks:
                    yield rest
                return
            decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        data = chunk
        while data:
            out = decoder.decompress(data)
            if out:
                yield out
            data = decoder.unused_data
            if decoder.eof and data:
                # Concatenated gzip members: start a new decoder for the next one.
                decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
            else:
                data = b""
    if decoder is not None:
        tail = decoder.flush()
        if tail:
            yield tail
        if not decoder.eof:
            # zlib does not complain about a stream that simply stops: without this check a document
            # cut short (a dropped proxy, a partial object) would load as if it had ended there.
            raise TransportError("document download: the GZIP stream ended before its end marker")


async def stream_document(
    http: httpx.AsyncClient, url: str, *, compressed: bool | None = None
) -> AsyncIterator[bytes]:
    """The document's bytes, decompressed. `compressed=None` sniffs the gzip magic bytes."""
    attempt = 0
    started = False
    while True:
        attempt += 1
        try:
            async with http.stream("GET", url) as response:
                if response.status_code in (401, 403):
                    raise DocumentExpired("document URL expired or refused", status=response.status_code)
                if response.status_code == 404:
                    raise NotFound("document not found", status=404)
                if response.status_code in RETRYABLE_STATUS and attempt < _RETRY.max_attempts:
                    await asyncio.sleep(_RETRY.delay(attempt, None))
                    continue
                if response.status_code >= 400:
                    raise ServerError(f"document download failed: HTTP {response.status_code}",
                                      status=response.status_code)  # fmt: skip
                source = response.aiter_bytes()
                stream = source if compressed is False else _gunzip(source)
                async for chunk in stream:
                    started = True
                    yield chunk
                return
        except httpx.TransportError as exc:
            # Only safe to retry before anything was yielded: a restart would repeat rows.
            if started or attempt >= _RETRY.max_attempts:
                raise TransportError(f"document download: {type(exc).__name__}") from exc
            await asyncio.sleep(_RETRY.delay(attempt, None))


async def iter_lines(chunks: AsyncIterator[bytes], encoding: str = "utf-8") -> AsyncIterator[str]:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    pending = ""
    async for chunk in chunks:
        pending += decoder.decode(chunk)
        *lines, pending = pending.split("\n")
        for line in lines:
            yield line.rstrip("\r")
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending.rstrip("\r")


async def parse_tsv(lines: AsyncIterator[str]) -> AsyncIterator[dict[str, str]]:
    """Amazon flat files: a header row, then tab-separated rows (no quoting)."""
    header: list[str] | None = None
    async for line in lines:
        if not line:
            continue
        cells = next(csv.reader([line], delimiter="\t", quoting=csv.QUOTE_NONE))
        if header is None:
            header = [c.strip().lstrip("\ufeff") for c in cells]
            continue
        yield dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))


async def parse_json_lines(lines: AsyncIterator[str]) -> AsyncIterator[dict[str, Any]]:
    async for line in lines:
        if line.strip():
            yield json.loads(line)


_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_BOM = b"\xef\xbb\xbf"


async def json_array_items(
    chunks: AsyncIterator[bytes], encoding: str = "utf-8", *, parse_float: Callable[[str], Any] | None = None
) -> AsyncIterator[Any]:
    """The elements of a JSON array document, one at a time (`json_array_blocks`, unpacked)."""
    async for block in json_array_blocks(chunks, encoding, parse_float=parse_float):
        for item in block:
            yield item


async def json_array_blocks(
    chunks: AsyncIterator[bytes],
    encoding: str = "utf-8",
    *,
    parse_float: Callable[[str], Any] | None = None,
    row_type: type[Any] | None = None,
) -> AsyncIterator[list[Any]]:
    """The elements of a JSON array document, a block at a time, whatever its size (an Ads report is
    one array on one line), from a buffer that holds at most one chunk and one element.
    `parse_float` makes numbers with a fraction from their text (`str`, `Decimal`: amounts exactly as
    written, without a float between). With `row_type` (a `msgspec.Struct`) each element is decoded
    straight into it, in C, with its types checked: no dict per row, no Python call per field (an
    Ads report's hundreds of thousands of rows); an element that does not fit raises
    `msgspec.ValidationError`, which says which field.

    The buffer's whole objects are decoded in one msgspec call, up to its last `},`: if that cut
    fell inside a string or a nested object, the block is not valid JSON and the elements are
    decoded one by one by the json module's C scanner instead (also the path of anything msgspec
    refuses and json takes, NaN for one). Measured on an Ads report: half the time of the scanner
    alone. A document with nothing in it (no byte but white space) has no elements."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    if row_type is None:
        block = msgspec.json.Decoder(float_hook=parse_float).decode
        scan = json.JSONDecoder(parse_float=parse_float).raw_decode
        one: Callable[[Any], Any] = _same
    else:
        block = msgspec.json.Decoder(list[row_type]).decode  # type: ignore[valid-type]
        # Amounts reach a typed field as their text (a `Decimal` field takes it exactly).
        scan = json.JSONDecoder(parse_float=str).raw_decode

        def one(item: Any) -> Any:
            return msgspec.convert(item, row_type)

    source = aiter(chunks)
    buffer, pos, opened, final = "", 0, False, False
    refused = -1  # the buffer's cut the block decode refused: not tried again before a refill
    while True:
        singles: list[Any] = []
        while True:
            pos = _JSON_SPACE.match(buffer, pos).end()  # type: ignore[union-attr]
            if pos >= len(buffer):
                break
            char = buffer[pos]
            if not opened:
                if char not in "[\ufeff":
                    raise json.JSONDecodeError("a JSON array was expected", buffer, pos)
                opened = char == "["
                pos += 1
                continue
            if char == ",":
                pos += 1
                continue
            if char == "]":
                if singles:
                    yield singles
                return
            cut = buffer.rfind("},", pos)
            if cut > pos and cut != refused:
                try:
                    items = block("[" + buffer[pos : cut + 1] + "]")
                except msgspec.DecodeError:
                    refused = cut
                else:
                    if singles:
                        yield singles
                        singles = []
                    yield items
                    pos = cut + 2
                    continue
            try:
                item, end = scan(buffer, pos)
            except json.JSONDecodeError:
                if final:
                    raise
                break  # the element goes on in the next chunk
            if end >= len(buffer) and not final:
                break  # a number at the very end may go on in the next chunk
            singles.append(one(item))
            pos = end
        if singles:
            yield singles
        if final:
            if not opened and not buffer.strip():
                return
            raise json.JSONDecodeError("the JSON array ended before its closing bracket", buffer, pos)
        buffer, pos, refused = buffer[pos:], 0, -1
        try:
            buffer += decoder.decode(await anext(source))
        except StopAsyncIteration:
            buffer += decoder.decode(b"", final=True)
            final = True


def _same(item: Any) -> Any:
    return item


async def parse_document(
    chunks: AsyncIterator[bytes], encoding: str = "utf-8", *, parse_float: Callable[[str], Any] | None = None
) -> AsyncIterator[dict[str, Any]]:
    """Rows of any document Amazon hands out, by sniffing the first character.

    JSON array: each element, streamed (`json_array_items`, numbers with a fraction made by
    `parse_float`); JSON object: the object once (JSON reports are one document); JSON Lines (Data
    Kiosk): each line; anything else: a tab-separated flat file.
    """
    source = aiter(chunks)
    head = b""
    async for chunk in source:
        head += chunk
        if head.lstrip().removeprefix(_BOM).lstrip():
            break

    async def replay() -> AsyncIterator[bytes]:
        yield head
        async for rest in source:
            yield rest

    if head.lstrip().removeprefix(_BOM).lstrip().startswith(b"["):
        async for item in json_array_items(replay(), encoding, parse_float=parse_float):
            yield item
        return
    lines = iter_lines(replay(), encoding)
    first: str | None = None
    async for line in lines:
        if line.strip():
            first = line
            break
    if first is None:
        return

    async def replay_lines() -> AsyncIterator[str]:
        assert first is not None
        yield first
        async for rest in lines:
            yield rest

    head_line = first.lstrip().lstrip("\ufeff")
    if head_line.startswith("{"):
        try:
            yield json.loads(head_line)
        except json.JSONDecodeError:
            # Not one object per line: a pretty-printed JSON document.
            text = "\n".join([line async for line in replay_lines()])
            yield json.loads(text)
            return
        async for row in parse_json_lines(lines):
            yield row
    else:
        async for tsv_row in parse_tsv(replay_lines()):
            yield tsv_row


def fresh_document_rows(
    http: httpx.AsyncClient,
    fresh_url: Callable[[], Awaitable[str]],
    *,
    parse_float: Callable[[str], Any] | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Rows of a document whose pre-signed URL `fresh_url` fetches (getReportDocument, getDocument)."""
    return _from_fresh_url(
        fresh_url, lambda url: parse_document(stream_document(http, url), parse_float=parse_float)
    )


def fresh_document_blocks(
    http: httpx.AsyncClient, fresh_url: Callable[[], Awaitable[str]], row_type: type[Any]
) -> AsyncIterator[list[Any]]:
    """The elements of a JSON array document whose pre-signed URL `fresh_url` fetches, decoded into
    `row_type` a block at a time (`json_array_blocks`): an Ads report."""
    return _from_fresh_url(
        fresh_url, lambda url: json_array_blocks(stream_document(http, url), row_type=row_type)
    )


def fresh_document_bytes(
    http: httpx.AsyncClient, fresh_url: Callable[[], Awaitable[str]]
) -> AsyncIterator[bytes]:
    """The decompressed bytes of a document whose pre-signed URL `fresh_url` fetches, for callers
    that keep the file itself (stored report documents)."""
    return _from_fresh_url(fresh_url, lambda url: stream_document(http, url))


async def _from_fresh_url(
    fresh_url: Callable[[], Awaitable[str]], read: Callable[[str], AsyncIterator[T]]
) -> AsyncIterator[T]:
    """What `read` yields from a pre-signed URL. The URL lives about five minutes from the record:
    if it has already expired when the download starts (a slow moment between the two calls), one
    fresh URL is fetched and the download starts over; `stream_document` refuses before the first
    byte, so nothing can repeat."""
    for attempt in (1, 2):
        url = await fresh_url()
        try:
            async for item in read(url):
                yield item
            return
        except DocumentExpired:
            if attempt == 2:
                raise


async def upload_document(
    http: httpx.AsyncClient,
    url: str,
    content: bytes | Callable[[], AsyncIterator[bytes]],
    content_type: str,
    *,
    size: int | None = None,
) -> None:
    """PUT a feed document to its pre-signed URL (the content type must match createFeedDocument's).

    `content` is the bytes, or a function opening a stream of them (a stored file of up to 100 MiB
    need not sit in memory) with their `size`: S3 wants a Content-Length, never a chunked body. A
    retry opens the stream again."""
    attempt = 0
    while True:
        attempt += 1
        headers = {"content-type": content_type}
        body: bytes | AsyncIterator[bytes]
        if isinstance(content, bytes):
            body = content
        else:
            if size is None:
                raise ValueError("a streamed upload needs its size")
            body = content()
            headers["content-length"] = str(size)
        try:
            response = await http.put(url, content=body, headers=headers)
        except httpx.TransportError as exc:
            if attempt >= _RETRY.max_attempts:
                raise TransportError(f"document upload: {type(exc).__name__}") from exc
            await asyncio.sleep(_RETRY.delay(attempt, None))
            continue
        if response.status_code in RETRYABLE_STATUS and attempt < _RETRY.max_attempts:
            await asyncio.sleep(_RETRY.delay(attempt, None))
            continue
        if response.status_code in (401, 403):
            raise DocumentExpired("upload URL expired or refused", status=response.status_code)
        if response.status_code >= 400:
            raise ServerError(
                f"document upload failed: HTTP {response.status_code}", status=response.status_code
            )
        return
