"""A full flow with every log line captured: no token, secret or buyer PII the emulator issued may
appear in any of them (retries, refreshes, re-authorization and PII views included)."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from app.amazon_http.lwa import SCOPE_NOTIFICATIONS
from app.spapi import SpApiClient
from app.spapi.operations.orders import OrderQuery, default_before
from app.tokens.errors import ReauthorizationRequired
from app.tokens.repository import ConnectionRef, MemoryTokenStore
from app.tokens.service import TokenManager
from tests.amazon.support import DEMO_CLIENT_SECRET, as_row, self_authorize


async def test_full_flow_logs_no_token_secret_or_pii(
    captured_logs: io.StringIO,
    emulator_app: FastAPI,
    emulator_http: httpx.AsyncClient,
    sp_client: SpApiClient,
    token_manager: TokenManager,
    token_store: MemoryTokenStore,
    connection: ConnectionRef,
) -> None:
    pii: list[str] = []
    # Faults so that retries and their log lines happen too.
    await emulator_http.post(
        "/_emulator/faults", json={"operation": "getOrderItems", "error_rate": 1.0, "status": 503, "count": 2}
    )
    before = default_before()
    query = OrderQuery(
        marketplace_ids=["ATVPDKIKX0DER"],
        last_updated_after=before - timedelta(days=30),
        last_updated_before=before,
        max_results=20,
    )
    await sp_client.sellers.get_marketplace_participations()
    for api in (sp_client.orders_v0, sp_client.orders_2026):
        page = await anext(aiter(api.search(query)))
        for order in [o for o in page.orders if as_row(o)["order_status"] in ("SHIPPED", "UNSHIPPED")][:3]:
            await api.get_items(order.amazon_order_id)
            address = await api.get_address(order.amazon_order_id)
            buyer = await api.get_buyer(order.amazon_order_id)
            for block in (address, buyer):
                if block is not None:
                    pii.extend(v for v in block.model_dump().values() if isinstance(v, str) and len(v) > 3)
            logging.getLogger("app.test").info("viewed %s", address)  # repr is redacted by design
    await emulator_http.post("/_emulator/clock/advance", json={"seconds": 3700})
    await sp_client.sellers.get_marketplace_participations()
    await token_manager.grantless_token(SCOPE_NOTIFICATIONS)
    await emulator_http.post(
        "/_emulator/faults", json={"revoke_refresh_token": token_store.tokens[connection.connection_id]}
    )
    await token_manager.forget(connection)
    with pytest.raises(ReauthorizationRequired):
        await token_manager.access_token(connection)
    token_store.tokens["other"] = await self_authorize(emulator_http)

    credentials = emulator_app.state.emulator.credentials
    secrets = [*credentials.access, *credentials.rdts, *credentials.refresh, DEMO_CLIENT_SECRET]
    assert credentials.rdts and len(credentials.access) >= 3 and pii
    logs = captured_logs.getvalue()
    assert "amazon.retry" in logs and "tokens.needs_reauth" in logs, "the flow did log"
    leaked = [value[:12] + "..." for value in [*secrets, *pii] if value in logs]
    assert leaked == []
