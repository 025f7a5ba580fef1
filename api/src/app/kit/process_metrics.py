"""`/metrics` of a process that serves no HTTP otherwise: the workers, the scheduler and the
notifications consumer count Amazon calls, 429s, jobs and coalesced refreshes where they happen,
and the API's `/metrics` sees only its own process.

`spapi-saas worker` runs Dramatiq: a main process forking the worker processes that run jobs. It
sets PROMETHEUS_MULTIPROC_DIR (a fresh folder, unless the operator set one) before anything imports
prometheus_client, so each forked process writes its series there, and the main process serves them
all, summed, on PROCESS_METRICS_PORT. The scheduler and the consumer serve their own registry.

The same rule as the API's: in production only `Authorization: Bearer <METRICS_TOKEN>` is
answered (404 otherwise, and when no token is set). A port that is taken is logged, not fatal: the
process's work matters more than its metrics.
"""

from __future__ import annotations

import hmac
import os
import tempfile
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import structlog

log = structlog.get_logger("app.metrics")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

StartResponse = Callable[..., Any]


def use_multiprocess_dir() -> str:
    """Point prometheus_client at a folder every process of this tree writes its series to (before
    it is imported: its value class is chosen then)."""
    folder = os.environ.get(MULTIPROC_ENV)
    if not folder:
        folder = tempfile.mkdtemp(prefix="spapi-saas-metrics-")
        os.environ[MULTIPROC_ENV] = folder
    return folder


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes are not logged (one every 15 s per process)."""


def metrics_app(token: str | None) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI app answering GET /metrics; `token` (production) is required as a bearer token."""
    from app.kit.metrics import render_metrics

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        if token is not None:
            sent = str(environ.get("HTTP_AUTHORIZATION", ""))
            if not token or not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
                start_response("404 Not Found", [("Content-Type", "text/plain")])
                return [b"not found"]
        body, content_type = render_metrics()
        start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
        return [body]

    return app


def serve_process_metrics(port: int, *, host: str = "0.0.0.0", token: str | None = None) -> WSGIServer | None:
    """Serve this process's (or, in multiprocess mode, its tree's) metrics on a daemon thread;
    None when `port` is 0 or taken."""
    if port <= 0:
        return None
    try:
        server = make_server(host, port, metrics_app(token), handler_class=_QuietHandler)
    except OSError as exc:
        log.warning("metrics.port_unavailable", port=port, error=str(exc))
        return None
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    log.info("metrics.serving", port=server.server_port)
    return server
