"""Document download and parsing: streamed gunzip (also when Content-Encoding already decoded it),
concatenated gzip members, flat files, JSON, JSON Lines, expired URLs."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from app.amazon_http.documents import (
    DocumentExpired,
    fresh_document_rows,
    json_array_items,
    parse_document,
    stream_document,
    upload_document,
)
from app.amazon_http.errors import TransportError

FLAT = "amazon-order-id\tsku\tquantity\n111-1\tSKU-1\t2\n111-2\tSKU-2\t1\n"


def http_for(content: bytes, **headers: str) -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=content, headers=headers)

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def rows(http: httpx.AsyncClient) -> list[dict[str, object]]:
    return [row async for row in parse_document(stream_document(http, "https://s3.test/doc"))]


async def test_gzip_flat_file() -> None:
    assert await rows(http_for(gzip.compress(FLAT.encode()))) == [
        {"amazon-order-id": "111-1", "sku": "SKU-1", "quantity": "2"},
        {"amazon-order-id": "111-2", "sku": "SKU-2", "quantity": "1"},
    ]


async def test_content_encoding_is_not_decompressed_twice() -> None:
    # The server gzips the gzip: httpx removes the transport layer, we remove the file layer.
    doubled = gzip.compress(gzip.compress(FLAT.encode()))
    assert len(await rows(http_for(doubled, **{"content-encoding": "gzip"}))) == 2
    # Transport gzip only (Amazon's enableContentEncodingUrlHeader): decoded once, no second gunzip.
    assert len(await rows(http_for(gzip.compress(FLAT.encode()), **{"content-encoding": "gzip"}))) == 2


async def test_concatenated_gzip_members() -> None:
    content = gzip.compress(b"a\tb\n1\t2\n") + gzip.compress(b"3\t4\n")
    assert await rows(http_for(content)) == [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]


async def test_a_gzip_document_cut_short_fails_instead_of_loading_part() -> None:
    # zlib takes a truncated stream without a word: the rows before the cut must not pass for the file.
    whole = "id\tprice\n" + "".join(f"{i}\t{i}.99\n" for i in range(2_000))
    packed = gzip.compress(whole.encode())
    seen: list[dict[str, object]] = []
    with pytest.raises(TransportError, match="GZIP stream ended"):
        async for row in parse_document(
            stream_document(http_for(packed[: len(packed) // 2]), "https://s3.test/d")
        ):
            seen.append(row)
    assert len(seen) < 2_000
    assert len(await rows(http_for(packed))) == 2_000


async def test_large_document_streams() -> None:
    big = "id\tvalue\n" + "".join(f"{i}\t{'x' * 50}\n" for i in range(100_000))
    count = 0
    async for _ in parse_document(
        stream_document(http_for(gzip.compress(big.encode())), "https://s3.test/doc")
    ):
        count += 1
    assert count == 100_000


async def test_json_documents() -> None:
    report = {
        "reportSpecification": {"reportType": "GET_SALES_AND_TRAFFIC_REPORT"},
        "salesAndTrafficByAsin": [],
    }
    assert await rows(http_for(json.dumps(report, indent=2).encode())) == [report]
    assert await rows(http_for(b'[{"a": 1}, {"a": 2}]')) == [{"a": 1}, {"a": 2}]
    lines = b'{"a": 1}\n{"a": 2}\n'
    assert await rows(http_for(gzip.compress(lines))) == [{"a": 1}, {"a": 2}]
    assert await rows(http_for(b"")) == []


async def test_expired_url() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, content=b"<Error><Code>AccessDenied</Code></Error>")

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    with pytest.raises(DocumentExpired):
        await rows(http)
    with pytest.raises(DocumentExpired):
        await upload_document(http, "https://s3.test/up", b"x", "text/plain")


async def test_upload_sends_no_amazon_token() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    await upload_document(
        httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        "https://s3.test/up",
        b"sku\tqty\n",
        "text/tab-separated-values; charset=UTF-8",
    )
    assert seen[0].method == "PUT" and seen[0].headers["content-type"].startswith("text/tab-separated-values")
    assert "x-amz-access-token" not in seen[0].headers and "authorization" not in seen[0].headers


async def test_a_stream_broken_midway_is_not_restarted() -> None:
    calls = 0

    class Broken(httpx.AsyncByteStream):
        async def __aiter__(self):  # type: ignore[no-untyped-def]
            yield b"a\tb\n1\t2\n"
            raise httpx.ReadError("connection reset")

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(200, stream=Broken())

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    seen = []
    with pytest.raises(TransportError):
        async for row in parse_document(stream_document(http, "https://s3.test/doc")):
            seen.append(row)
    assert calls == 1 and seen == [{"a": "1", "b": "2"}]


async def test_an_expired_url_is_fetched_again_once() -> None:
    # The URL lives ~5 minutes from the record; a slow moment before the download must not fail the run.
    served: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        served.append(request.url.path)
        if request.url.path == "/stale":
            return httpx.Response(403, content=b"<Error><Code>AccessDenied</Code></Error>")
        return httpx.Response(200, content=gzip.compress(FLAT.encode()))

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    urls = iter(["https://s3.test/stale", "https://s3.test/fresh"])
    fetched: list[str] = []

    async def fresh_url() -> str:
        fetched.append(next(urls))
        return fetched[-1]

    rows_read = [row async for row in fresh_document_rows(http, fresh_url)]
    assert [row["amazon-order-id"] for row in rows_read] == ["111-1", "111-2"]
    assert fetched == ["https://s3.test/stale", "https://s3.test/fresh"]
    assert served == ["/stale", "/fresh"]

    # Two expired URLs in a row: the error surfaces (the record itself is stale), no third try.
    fetched.clear()

    async def always_stale() -> str:
        fetched.append("https://s3.test/stale")
        return fetched[-1]

    with pytest.raises(DocumentExpired):
        [row async for row in fresh_document_rows(http, always_stale)]
    assert len(fetched) == 2


async def test_a_json_array_streams_element_by_element_whatever_the_chunks() -> None:
    """An Ads report is one JSON array on one line: its elements come out one at a time, however the
    bytes are cut (inside strings, numbers, multi-byte characters), as `json.loads` reads them."""
    elements = [
        {
            "adId": 510000000000000 + n,
            "cost": n / 7,
            "name": f"Flasche \u00e9 {n}",
            "nested": {"a": [n, None]},
        }
        for n in range(200)
    ]
    document = ("\ufeff  [" + ",\n ".join(json.dumps(e) for e in elements) + " ]\n").encode()

    async def cut(content: bytes, size: int) -> AsyncIterator[bytes]:
        for start in range(0, len(content), size):
            yield content[start : start + size]

    for size in (1, 3, 7, 64, 4096, len(document)):
        assert [item async for item in json_array_items(cut(document, size))] == elements
    assert [item async for item in parse_document(cut(document, 5))] == elements
    # An array cut short is an error, not a shorter report.
    with pytest.raises(json.JSONDecodeError):
        _ = [item async for item in json_array_items(cut(document[: len(document) // 2], 64))]
