"""S3-style document URLs: ``GET``/``PUT /_documents/{key}`` with pre-signed query parameters.

Errors look like S3's: an XML ``<Error>`` body with ``AccessDenied`` ("Request has expired") once the URL's
lifetime passed, ``SignatureDoesNotMatch`` for a tampered URL (or an upload with another Content-Type than the
one signed) and ``NoSuchKey`` when nothing is stored.
"""

from __future__ import annotations

import secrets
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from amazon_emulator.apis._documents import Document, store
from amazon_emulator.auth import apply_faults, set_operation
from amazon_emulator.clock import iso_ts
from amazon_emulator.state import get_state

router = APIRouter(tags=["Documents"], include_in_schema=False)


def _s3_error(status: int, code: str, message: str, **extra: str) -> Response:
    fields = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in extra.items())
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{escape(message)}</Message>{fields}"
        f"<RequestId>{secrets.token_hex(8).upper()}</RequestId>"
        f"<HostId>{secrets.token_urlsafe(48)}</HostId></Error>"
    )
    return Response(body, status_code=status, media_type="application/xml")


def _norm(content_type: str | None) -> str:
    return (content_type or "").replace(" ", "").lower()


def _check(request: Request, key: str, method: str) -> Response | None:
    state = get_state(request)
    docs = store(state)
    signature = request.query_params.get("X-Amz-Signature", "")
    with docs.lock:
        signed = docs.signatures.get(signature)
    if signed is None or signed.key != key or signed.method != method:
        if "X-Amz-Signature" not in request.query_params:
            return _s3_error(403, "AccessDenied", "Access Denied")
        return _s3_error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
        )
    now = state.clock.time()
    if now >= signed.expires_at:
        return _s3_error(
            403,
            "AccessDenied",
            "Request has expired",
            **{
                "X-Amz-Expires": request.query_params.get("X-Amz-Expires", ""),
                "Expires": iso_ts(signed.expires_at),
                "ServerTime": iso_ts(now),
            },
        )
    if signed.content_type is not None and _norm(request.headers.get("content-type")) != _norm(
        signed.content_type
    ):
        return _s3_error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
        )
    return None


@router.get("/_documents/{key}")
async def download(key: str, request: Request) -> Response:
    state = get_state(request)
    set_operation(request, "documents.get")
    # A refused URL is answered before any fault is drawn: a scripted fault lands on a call S3 would serve
    # (a client retrying an expired URL after a stall must not use up the next scripted fault on a 403).
    denied = _check(request, key, "GET")
    if denied is not None:
        return denied
    await apply_faults(state, "documents.get", request)
    doc = store(state).get(key)
    if doc is None or not doc.uploaded:
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.", Key=key)
    headers = {"ETag": f'"{secrets.token_hex(16)}"', "x-amz-server-side-encryption": "AES256"}
    if doc.compression == "GZIP" and request.query_params.get("response-content-encoding") == "gzip":
        headers["Content-Encoding"] = "gzip"
    if doc.stream is not None:
        return StreamingResponse(doc.served_chunks(), media_type=doc.content_type, headers=headers)
    return Response(doc.content, media_type=doc.content_type, headers=headers)


@router.put("/_documents/{key}")
async def upload(key: str, request: Request) -> Response:
    state = get_state(request)
    set_operation(request, "documents.put")
    # A refused URL is answered before any fault is drawn: a scripted fault lands on a call S3 would serve
    # (a client retrying an expired URL after a stall must not use up the next scripted fault on a 403).
    denied = _check(request, key, "PUT")
    if denied is not None:
        return denied
    await apply_faults(state, "documents.put", request)
    docs = store(state)
    content = await request.body()
    existing = docs.get(key)
    content_type = request.headers.get("content-type", "application/octet-stream")
    docs.put(Document(key, content, existing.content_type if existing else content_type))
    return Response(status_code=200, headers={"ETag": f'"{secrets.token_hex(16)}"'})
