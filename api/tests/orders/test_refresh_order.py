"""`orders.refresh_order` (an ORDER_CHANGE names an order): throttled -> rescheduled with Amazon's
wait, an order Amazon does not show (yet) or a connection needing re-authorization -> skipped, the
delta catches up. The happy path runs in tests/notifications and tests/e2e/test_notifications.py."""

from __future__ import annotations

from typing import Any

import pytest

from app.amazon_http.errors import NotFound, Throttled
from app.orders import tasks
from app.tokens.errors import ReauthorizationRequired
from app.worker.actor import Reschedule

TENANT, CONNECTION = "00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002"


async def run_with(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    async def client(connection_id: str) -> Any:
        return object()

    async def fetch(*args: Any) -> Any:
        raise error

    async def never(*args: Any) -> Any:
        raise AssertionError("nothing is stored")

    monkeypatch.setattr(tasks, "spapi_client", client)
    monkeypatch.setattr(tasks, "fetch_order", fetch)
    monkeypatch.setattr(tasks, "store_order", never)
    await tasks.refresh_order(TENANT, CONNECTION, "111-0000000-0000000")


async def test_throttled_refresh_is_rescheduled(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(Reschedule) as rescheduled:
        await run_with(monkeypatch, Throttled("orders.getOrder: 429", retry_after=3.5))
    assert rescheduled.value.delay_s == 3.5


@pytest.mark.parametrize(
    "error",
    [
        NotFound("orders.getOrder failed with HTTP 404"),
        ReauthorizationRequired(CONNECTION),
        LookupError(CONNECTION),
    ],
)
async def test_refresh_that_cannot_run_is_skipped(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    await run_with(monkeypatch, error)  # no exception: the job ends, the delta catches up
