"""Per-run counters of Amazon calls (429s, retries, request ids) without touching the client.

A response hook on the worker's HTTP client adds to the `CallStats` of the run in progress (a
context variable, so concurrent runs on one event loop never mix their counts).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field

import httpx

from app.amazon_http.errors import request_id_of


@dataclass
class CallStats:
    calls: int = 0
    throttled: int = 0
    retries: int = 0
    request_ids: list[str] = field(default_factory=list)

    def take(self) -> CallStats:
        """The counts so far, and start again from zero."""
        out = CallStats(self.calls, self.throttled, self.retries, self.request_ids)
        self.calls = self.throttled = self.retries = 0
        self.request_ids = []
        return out


current_stats: ContextVar[CallStats | None] = ContextVar("sync_call_stats", default=None)


async def _on_response(response: httpx.Response) -> None:
    stats = current_stats.get()
    if stats is None:
        return
    stats.calls += 1
    if response.status_code == 429:
        stats.throttled += 1
        stats.retries += 1
    elif response.status_code >= 500:
        stats.retries += 1
    request_id = request_id_of(response)
    if request_id and "/auth/o2/" not in response.request.url.path:
        stats.request_ids.append(request_id)


def install(http: httpx.AsyncClient) -> httpx.AsyncClient:
    hooks = list(http.event_hooks.get("response", []))
    if _on_response not in hooks:
        http.event_hooks = {**http.event_hooks, "response": [*hooks, _on_response]}
    return http
