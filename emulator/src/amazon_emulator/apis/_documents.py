"""Stored documents (report results, feed inputs and results, Data Kiosk results) and S3-style signed URLs.

Amazon hands out pre-signed S3 URLs that expire after 5 minutes. The emulator serves documents from its own
host under ``/_documents/{key}`` with the query parameters S3 uses (``X-Amz-Algorithm``, ``X-Amz-Date``,
``X-Amz-Expires``, ``X-Amz-Signature``...). The signature is an HMAC over the method, key, date and expiry
with a per-instance key. The expiry (``document_url_lifetime``, 300 Amazon seconds) is scaled by the clock and
``X-Amz-Expires`` announces it in whole real seconds (5 at time scale 60, at least 1), as S3 would for a URL
that really lives that long.

URLs are built on the emulator's public base URL (``EmulatorConfig.public_base_url``, ``--public-url``), never
on the request's Host header: a client that sends an odd Host still gets URLs it can fetch. Without a
configured one, the address the server listens on is used.

Large generated documents (a million listings) are *streamed*: the document keeps a function that yields its
decompressed bytes and is gzipped chunk by chunk when served, so it never exists whole in memory.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import re
import secrets
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.requests import Request

from amazon_emulator.errors import invalid_input
from amazon_emulator.state import EmulatorState

GZIP_THRESHOLD = 64 * 1024
_CREDENTIAL = "AKIAEMULATOREXAMPLE0"


@dataclass
class Document:
    key: str
    content: bytes
    content_type: str
    compression: str | None = None  # "GZIP" when ``content`` is gzip-compressed
    uploaded: bool = True
    # Set for streamed documents: yields the decompressed bytes (``content`` is then empty, compression GZIP).
    stream: Callable[[], Iterator[bytes]] | None = None

    def raw_chunks(self) -> Iterator[bytes]:
        """The decompressed bytes, in chunks."""
        if self.stream is not None:
            yield from self.stream()
        elif self.compression == "GZIP":
            yield gzip.decompress(self.content)
        else:
            yield self.content

    def served_chunks(self) -> Iterator[bytes]:
        """The bytes as the document URL serves them (gzip when ``compression`` says so)."""
        if self.stream is None:
            yield self.content
            return
        # wbits 31: a gzip stream; its header carries no timestamp, so the bytes are the same every time.
        packer = zlib.compressobj(1, zlib.DEFLATED, 31)  # level 1: a million lines gzip in seconds
        for chunk in self.stream():
            out = packer.compress(chunk)
            if out:
                yield out
        yield packer.flush()


@dataclass
class SignedUrl:
    key: str
    method: str
    expires_at: float
    content_type: str | None = None


@dataclass
class DocumentStore:
    signing_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    documents: dict[str, Document] = field(default_factory=dict)
    signatures: dict[str, SignedUrl] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, doc: Document) -> Document:
        with self.lock:
            self.documents[doc.key] = doc
        return doc

    def get(self, key: str) -> Document | None:
        with self.lock:
            return self.documents.get(key)


def store(state: EmulatorState) -> DocumentStore:
    return state.extension("documents", DocumentStore)


# Document ids Amazon hands out: ``amzn1.tortuga...`` / ``amzn1.spdoc...`` (and UUIDs in older answers).
_DOCUMENT_ID = re.compile(r"^(amzn1\.[A-Za-z0-9._-]+|[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12})$")


def check_document_id(value: str, name: str) -> None:
    """400 for a malformed document id (sandbox: ``badDocumentId1``); unknown well-formed ones are 404."""
    if not _DOCUMENT_ID.match(value):
        raise invalid_input("Invalid input", f"Invalid {name}: {value}.")


def new_key(prefix: str) -> str:
    """An id in the style of Amazon's document ids (``amzn1.tortuga.4.na.<uuid-ish>.<suffix>``)."""
    return f"amzn1.tortuga.4.na.{secrets.token_hex(16)}.{prefix}{secrets.token_hex(5).upper()}"


def store_content(
    state: EmulatorState, key: str, content: bytes, content_type: str, *, allow_gzip: bool = True
) -> Document:
    """Store a result document, gzipped (``compressionAlgorithm: GZIP``) when it is large."""
    if allow_gzip and len(content) > GZIP_THRESHOLD:
        return store(state).put(Document(key, gzip.compress(content, mtime=0), content_type, "GZIP"))
    return store(state).put(Document(key, content, content_type))


def store_stream(
    state: EmulatorState, key: str, stream: Callable[[], Iterator[bytes]], content_type: str
) -> Document:
    """Store a generated document served gzipped from ``stream()`` (called again on every download)."""
    return store(state).put(Document(key, b"", content_type, "GZIP", stream=stream))


def public_base(state: EmulatorState, request: Request) -> str:
    """The configured public base URL, else the address the server listens on (never the Host header)."""
    if state.config.public_base_url:
        return state.config.public_base_url.rstrip("/")
    server = request.scope.get("server")
    if server and server[1] is not None:
        host = "127.0.0.1" if server[0] in ("0.0.0.0", "::", "") else server[0]
        host = f"[{host}]" if ":" in host else host
        return f"{request.url.scheme}://{host}:{server[1]}"
    return "http://127.0.0.1:8100"


def signed_url(
    state: EmulatorState,
    request: Request,
    key: str,
    method: str = "GET",
    content_type: str | None = None,
    extra: dict[str, str] | None = None,
) -> str:
    """A pre-signed URL for ``key`` on this host, valid ``document_url_lifetime`` Amazon seconds (scaled;
    ``X-Amz-Expires`` says how many real seconds)."""
    docs = store(state)
    lifetime = state.clock.announced_seconds(state.config.document_url_lifetime)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(state.clock.time()))
    nonce = secrets.token_hex(8)
    message = f"{method}\n{key}\n{stamp}\n{lifetime}\n{nonce}".encode()
    signature = hmac.new(docs.signing_key, message, hashlib.sha256).hexdigest()
    with docs.lock:
        docs.signatures[signature] = SignedUrl(key, method, state.clock.time() + lifetime, content_type)
    query = {
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": f"{_CREDENTIAL}/{stamp[:8]}/us-east-1/s3/aws4_request",
        "X-Amz-Date": stamp,
        "X-Amz-Expires": str(lifetime),
        "X-Amz-SignedHeaders": "host" if content_type is None else "content-type;host",
        "X-Amz-Signature": signature,
        **(extra or {}),
    }
    return f"{public_base(state, request)}/_documents/{key}?{urlencode(query)}"
