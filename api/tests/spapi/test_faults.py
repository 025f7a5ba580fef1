"""429 storms and 5xx faults from the emulator: the client recovers with jittered backoff, shares the
429 with the limiter, and hands workers a retry time instead of sleeping."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from prometheus_client import REGISTRY

from app.amazon_http import AmazonTransport, RetryPolicy, Throttled
from app.spapi import SpApiClient
from app.spapi.operations.orders import OrderQuery, default_before
from tests.amazon.support import request_log


def with_retry(client: SpApiClient, retry: RetryPolicy, max_wait_s: float = 10.0) -> SpApiClient:
    transport = AmazonTransport(client.transport.http, limiter=client.transport.limiter, retry=retry)
    return SpApiClient(
        transport,
        base_url=client.base_url,
        region="NA",
        application_id=client.application_id,
        selling_partner_id=client.selling_partner_id,
        tokens=client.token_provider,
        max_wait_s=max_wait_s,
    )


def window(max_results: int = 5) -> OrderQuery:
    before = default_before()
    return OrderQuery(
        marketplace_ids=["ATVPDKIKX0DER"],
        last_updated_after=before - timedelta(days=30),
        last_updated_before=before,
        max_results=max_results,
    )


async def test_429_storm_is_ridden_out(sp_client: SpApiClient, emulator_http: httpx.AsyncClient) -> None:
    page = await anext(aiter(sp_client.orders_2026.search(window())))
    order_id = page.orders[0].amazon_order_id
    labels = {"service": "spapi", "operation": "orders2026.getOrder", "reason": "throttled"}
    retries_before = REGISTRY.get_sample_value("amazon_retries_total", labels) or 0.0
    await emulator_http.post(
        "/_emulator/faults", json={"operation": "orders2026.getOrder", "throttle_storm_seconds": 1.5}
    )
    client = with_retry(sp_client, RetryPolicy(max_attempts=10, base_s=0.2, cap_s=1.0))
    order = await client.orders_2026.get_order(order_id)
    assert order.amazon_order_id == order_id
    log = await request_log(emulator_http, operation="orders2026.getOrder")
    statuses = [e["status"] for e in log]
    assert statuses.count(429) >= 1 and statuses[-1] == 200
    assert (REGISTRY.get_sample_value("amazon_retries_total", labels) or 0) > retries_before


async def test_worker_gets_retry_at_instead_of_sleeping(
    sp_client: SpApiClient, emulator_http: httpx.AsyncClient
) -> None:
    await emulator_http.post(
        "/_emulator/faults", json={"operation": "orders2026.getOrder", "throttle_storm_seconds": 30}
    )
    worker = with_retry(sp_client, RetryPolicy(max_attempts=5, base_s=0.5, cap_s=4.0), max_wait_s=0.0)
    with pytest.raises(Throttled) as caught:
        await worker.orders_2026.get_order("111-0000000-0000000")
    assert caught.value.retry_after > 0 and caught.value.request_id
    # The 429 emptied the shared bucket: the next call is deferred by the limiter without reaching Amazon.
    before = len(await request_log(emulator_http, operation="orders2026.getOrder"))
    with pytest.raises(Throttled) as deferred:
        await worker.orders_2026.get_order("111-0000000-0000000")
    assert deferred.value.retry_after > 1.0 and deferred.value.status is None
    assert len(await request_log(emulator_http, operation="orders2026.getOrder")) == before


async def test_5xx_faults_lose_no_page(sp_client: SpApiClient, emulator_http: httpx.AsyncClient) -> None:
    clean = [o.amazon_order_id async for p in sp_client.orders_v0.search(window(10)) for o in p.orders]
    for status in (500, 502, 503):
        await emulator_http.post(
            "/_emulator/faults",
            json={"operation": "ordersV0.getOrders", "error_rate": 0.4, "status": status, "count": 3},
        )
        client = with_retry(sp_client, RetryPolicy(max_attempts=8, base_s=0.01, cap_s=0.05))
        again = [o.amazon_order_id async for p in client.orders_v0.search(window(10)) for o in p.orders]
        assert again == clean
    log = await request_log(emulator_http, operation="ordersV0.getOrders")
    assert {500, 502, 503} & {e["status"] for e in log}
