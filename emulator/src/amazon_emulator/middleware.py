"""ASGI middleware adding Amazon's response headers and writing the request log.

Every response gets ``x-amzn-RequestId``; responses of a declared operation also get
``x-amzn-RateLimit-Limit`` (the operation's rate for this seller in real requests per second: Amazon's rate
times the time scale). The operation name, token kind and caller ids come from ``request.state``, as set by
:func:`amazon_emulator.auth.sp_operation` (or :func:`~amazon_emulator.auth.set_operation`). A fault's
``latency_after_ms`` is applied here: the successful response of a faulted operation is held before its status
line is sent (the handler already ran). So is a *body fault* (``reset``, ``stall``, ``gzip_cut``, left on
``request.state`` by :func:`amazon_emulator.auth.apply_faults`): the successful response is gathered whole,
then spoilt on the way out, and the request log's ``note`` says which fault the call got.
"""

from __future__ import annotations

import asyncio
import gzip
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from amazon_emulator.clock import iso_ms
from amazon_emulator.requestlog import LogEntry
from amazon_emulator.state import EmulatorState


class AmazonHeadersMiddleware:
    def __init__(self, app: ASGIApp, state: EmulatorState) -> None:
        self.app = app
        self.emulator = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        req_state: dict[str, Any] = scope.setdefault("state", {})
        req_state["request_id"] = request_id
        started = time.perf_counter()
        status_holder = {"status": 500}
        spoilt: list[Message] = []  # the start and body messages of a response a body fault spoils

        async def send_wrapper(message: Message) -> None:
            if spoilt:
                spoilt.append(message)
                if message["type"] == "http.response.body" and not message.get("more_body", False):
                    await _spoil(req_state, spoilt, send)
                return
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                operation = req_state.get("operation")
                if operation and message["status"] < 400:
                    hold = self.emulator.faults.hold_after(operation)
                    if hold > 0:
                        await asyncio.sleep(hold)
                headers = list(message.get("headers", []))
                headers.append((b"x-amzn-requestid", request_id.encode()))
                rate = req_state.get("rate_limit")
                if rate is not None:
                    headers.append((b"x-amzn-ratelimit-limit", str(rate).encode()))
                message["headers"] = headers
                if req_state.get("body_fault") and message["status"] < 400:
                    # Noted now: a client that gives up while the body is gathered still got the fault.
                    note = req_state.get("note")
                    req_state["note"] = f"fault: {req_state['body_fault']}" + (f"; {note}" if note else "")
                    spoilt.append(message)
                    return
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            self.emulator.request_log.add(
                LogEntry(
                    time=iso_ms(self.emulator.clock.time()),
                    method=scope.get("method", ""),
                    path=scope.get("path", ""),
                    query=scope.get("query_string", b"").decode("latin-1"),
                    operation=req_state.get("operation"),
                    status=status_holder["status"],
                    token_kind=req_state.get("token_kind", "none"),
                    request_id=request_id,
                    selling_partner_id=req_state.get("selling_partner_id"),
                    application_id=req_state.get("application_id"),
                    duration_ms=round((time.perf_counter() - started) * 1000, 3),
                    note=req_state.get("note"),
                )
            )


async def _spoil(req_state: dict[str, Any], messages: list[Message], send: Send) -> None:
    """Send a whole response (``messages``: its start, then its body) the way its body fault says."""
    kind = req_state["body_fault"]
    start, body = messages[0], b"".join(m.get("body", b"") for m in messages[1:])
    if kind == "gzip_cut":
        packed = body if body[:2] == b"\x1f\x8b" else gzip.compress(body, mtime=0)
        cut = packed[: max(11, len(packed) // 2)]  # past the 10-byte header: a stream that ends too soon
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in (b"content-length",)]
        await send({**start, "headers": [*headers, (b"content-length", str(len(cut)).encode())]})
        await send({"type": "http.response.body", "body": cut, "more_body": False})
        return
    half = len(body) // 2
    await send(start)
    await send({"type": "http.response.body", "body": body[:half], "more_body": True})
    if kind == "reset":
        # The response is never completed: the server closes the connection mid-body.
        return
    await asyncio.sleep(float(req_state.get("body_stall_s", 0.0)))
    await send({"type": "http.response.body", "body": body[half:], "more_body": False})
