"""ASGI middleware adding Amazon's response headers and writing the request log.

Every response gets ``x-amzn-RequestId``; responses of a declared operation also get
``x-amzn-RateLimit-Limit`` (the operation's rate for this seller in real requests per second: Amazon's rate
times the time scale). The operation name, token kind and caller ids come from ``request.state``, as set by
:func:`amazon_emulator.auth.sp_operation` (or :func:`~amazon_emulator.auth.set_operation`). A fault's
``latency_after_ms`` is applied here: the successful response of a faulted operation is held before its status
line is sent (the handler already ran).
"""

from __future__ import annotations

import asyncio
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

        async def send_wrapper(message: Message) -> None:
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
