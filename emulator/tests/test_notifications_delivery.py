"""Notification delivery without SQS: the HTTP destination extension, event filters, and the background poll
the app's lifespan runs under uvicorn (time-based ORDER_CHANGE and finished jobs without any client read)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from amazon_emulator.apis.notifications import store
from amazon_emulator.config import DEMO_SELLER_ID
from amazon_emulator.state import EmulatorState

from emulator_helpers import US, auth, days_ago, grantless_token


@pytest.fixture
def hook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()
        server.server_close()


async def http_destination(client: httpx.AsyncClient, url: str) -> str:
    grantless = await grantless_token(client)
    body = {"name": "hook", "resourceSpecification": {"http": {"url": url}}}
    r = await client.post("/notifications/v1/destinations", json=body, headers=auth(grantless))
    assert r.status_code == 200, r.text
    assert r.json()["payload"]["resource"] == {"http": {"url": url}}
    destination_id: str = r.json()["payload"]["destinationId"]
    return destination_id


async def test_http_destination_and_marketplace_filter(
    client: httpx.AsyncClient, state: EmulatorState, token: str, hook: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = hook
    destination_id = await http_destination(client, url)
    directive = {"eventFilter": {"eventFilterType": "ORDER_CHANGE", "marketplaceIds": [US]}}
    r = await client.post(
        "/notifications/v1/subscriptions/ORDER_CHANGE",
        json={"payloadVersion": "1.0", "destinationId": destination_id, "processingDirective": directive},
        headers=auth(token),
    )
    assert r.status_code == 200 and r.json()["payload"]["processingDirective"] == directive
    r = await client.post(f"/_emulator/sellers/{DEMO_SELLER_ID}/activity", json={"new_orders": 12})
    seller = state.seller(DEMO_SELLER_ID)
    assert seller is not None
    created = r.json()["created"]
    in_us = {o for o in created if seller.orders_by_id[o].marketplace_id == US}
    assert 0 < len(in_us) < len(created), "the seeded marketplaces mix"
    assert store(state).publisher.flush()
    assert {m["Payload"]["OrderChangeNotification"]["AmazonOrderId"] for m in received} == in_us
    outbox = (await client.get("/_emulator/notifications")).json()
    assert {e["status"] for e in outbox} == {"delivered"}


async def test_lifespan_poller_publishes_without_reads(
    app: FastAPI,
    client: httpx.AsyncClient,
    state: EmulatorState,
    token: str,
    hook: tuple[str, list[dict[str, Any]]],
) -> None:
    url, received = hook
    destination_id = await http_destination(client, url)
    for kind, version in (("ORDER_CHANGE", "1.0"), ("REPORT_PROCESSING_FINISHED", "2020-09-04")):
        r = await client.post(
            f"/notifications/v1/subscriptions/{kind}",
            json={"payloadVersion": version, "destinationId": destination_id},
            headers=auth(token),
        )
        assert r.status_code == 200
    spec = {"reportType": "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL", "marketplaceIds": [US],
            "dataStartTime": days_ago(state, 10)}  # fmt: skip
    r = await client.post("/reports/2021-06-30/reports", json=spec, headers=auth(token))
    assert r.status_code == 202
    async with app.router.lifespan_context(app):
        state.clock.advance(2 * 86400)
        for _ in range(40):
            await asyncio.sleep(0.1)
            kinds = {m.get("NotificationType") or m.get("notificationType") for m in received}
            if kinds == {"ORDER_CHANGE", "REPORT_PROCESSING_FINISHED"}:
                break
    assert kinds == {"ORDER_CHANGE", "REPORT_PROCESSING_FINISHED"}
    report = next(m for m in received if m.get("notificationType") == "REPORT_PROCESSING_FINISHED")
    assert report["payload"]["reportProcessingFinishedNotification"]["reportId"] == r.json()["reportId"]
