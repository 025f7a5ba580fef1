"""ASGI middleware: request ids, access logs, metrics, security headers, last-resort 500s.

Written as plain ASGI (not BaseHTTPMiddleware) so streaming responses (SSE) are not buffered.
"""

from __future__ import annotations

import json
import re
import time
import uuid

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.kit.metrics import HTTP_LATENCY, HTTP_REQUESTS

log = structlog.get_logger("app.http")

REQUEST_ID_HEADER = "x-request-id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,128}$")

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
# Swagger UI and ReDoc are pages of inline script and CDN assets: they get no CSP (they are off in
# production unless API_DOCS_ENABLED); everything else, the panel included, gets the strict one.
_NO_CSP_PREFIXES = ("/docs", "/redoc")


def content_security_policy(extra_sources: list[str] | None = None) -> str:
    """The policy of the API and the panel (deploy/nginx.conf carries the same one).

    No inline or eval'd script anywhere: the built panel is script files from 'self' only. Inline
    styles stay allowed (React style props, Radix, the OAuth result page); they cannot run code.
    `extra_sources`: origins the panel must also reach (Clerk's Frontend API when Clerk is on)."""
    extra = " ".join(extra_sources or [])
    with_extra = f" {extra}" if extra else ""
    directives = [
        "default-src 'self'",
        f"script-src 'self'{with_extra}",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data:{with_extra}",
        "font-src 'self' data:",
        f"connect-src 'self'{with_extra}",
        f"frame-src 'self'{with_extra}",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


def _incoming_request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == REQUEST_ID_HEADER.encode():
            candidate = str(value.decode("latin-1"))
            if _VALID_REQUEST_ID.match(candidate):
                return candidate
    return uuid.uuid4().hex


def _route_label(scope: Scope) -> str:
    route = scope.get("route")
    path: object = getattr(route, "path", None)
    # Unmatched paths are collapsed so that scanners cannot blow up the metric's cardinality.
    return str(path) if isinstance(path, str) and path else "unmatched"


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool = False, csp: str | None = None) -> None:
        self.app = app
        self.headers = [*SECURITY_HEADERS]
        if hsts:
            self.headers.append(HSTS)
        self.csp = (b"content-security-policy", (csp or content_security_policy()).encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                headers.extend(self.headers)
                if not str(scope.get("path", "")).startswith(_NO_CSP_PREFIXES):
                    headers.append(self.csp)
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            log.exception("unhandled_error", path=scope.get("path"))
            if not response_started:
                body = json.dumps(
                    {
                        "error": {
                            "code": "internal_error",
                            "message": "internal server error",
                            "request_id": request_id,
                        }
                    }
                ).encode()
                await send_wrapper(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
        finally:
            elapsed = time.perf_counter() - started
            method = scope.get("method", "")
            route = _route_label(scope)
            HTTP_REQUESTS.labels(method, route, str(status)).inc()
            HTTP_LATENCY.labels(method, route).observe(elapsed)
            path = scope.get("path", "")
            if path not in ("/health", "/metrics"):
                log.info(
                    "request", method=method, path=path, status=status, duration_ms=round(elapsed * 1000, 1)
                )
            structlog.contextvars.clear_contextvars()
