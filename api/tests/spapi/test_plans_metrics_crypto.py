"""Usage-plan defaults against Amazon's published table, metrics per operation, MultiFernet keys."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from prometheus_client import REGISTRY

from app.kit.crypto import DecryptionError, decrypt, encrypt, rotate
from app.spapi import SpApiClient
from app.spapi.usage_plans import SPAPI_PLANS

MODELS = Path(__file__).resolve().parents[3] / ".." / "shared" / "amazon-models" / "sp-api"
FILES = {
    "ordersV0": "ordersV0.json",
    "orders2026": "orders_2026-01-01.json",
    "tokens": "tokens_2021-03-01.json",
    "sellers": "sellers.json",
    "reports": "reports_2021-06-30.json",
    "feeds": "feeds_2021-06-30.json",
    "dataKiosk": "dataKiosk_2023-11-15.json",
    "notifications": "notifications.json",
    "applications": "application_2023-11-30.json",
    "listingsItems": "listingsItems_2021-08-01.json",
}
_PLAN_ROW = re.compile(r"\|\s*([\d.]+)\s*\|\s*(\d+)\s*\|")


def test_default_plans_match_the_official_models() -> None:
    """Each operation's description in Amazon's models carries its usage plan (rate | burst)."""
    if not MODELS.is_dir():
        pytest.skip("amazon-models/sp-api not present")
    published: dict[str, tuple[float, int]] = {}
    for api, name in FILES.items():
        model = json.loads((MODELS / name).read_text(encoding="utf-8"))
        for operations in model["paths"].values():
            for operation in operations.values():
                if isinstance(operation, dict) and "operationId" in operation:
                    row = _PLAN_ROW.search(operation.get("description", ""))
                    if row:
                        published[f"{api}.{operation['operationId']}"] = (float(row[1]), int(row[2]))
    missing = [key for key in SPAPI_PLANS if key not in published]
    assert missing in ([], ["sellers.getAccount"]), missing
    wrong = {
        k: (SPAPI_PLANS[k], published[k])
        for k in SPAPI_PLANS
        if k in published and (SPAPI_PLANS[k].rate, SPAPI_PLANS[k].burst) != published[k]
    }
    assert wrong == {}


def sample(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_metrics_per_operation(sp_client: SpApiClient, emulator_http: httpx.AsyncClient) -> None:
    labels = {"service": "spapi", "operation": "sellers.getMarketplaceParticipations"}
    # The fixture's connection belongs to no tenant: its requests carry an empty tenant label.
    requests = {**labels, "tenant": ""}
    ok_before = sample("amazon_requests_total", {**requests, "status": "200"})
    retries_before = sample("amazon_retries_total", {**labels, "reason": "server"})
    await emulator_http.post(
        "/_emulator/faults",
        json={"operation": "getMarketplaceParticipations", "error_rate": 1.0, "status": 500, "count": 1},
    )
    await sp_client.sellers.get_marketplace_participations()
    assert sample("amazon_requests_total", {**requests, "status": "200"}) == ok_before + 1
    assert sample("amazon_requests_total", {**requests, "status": "500"}) >= 1
    assert sample("amazon_retries_total", {**labels, "reason": "server"}) == retries_before + 1
    assert sample("amazon_request_duration_seconds_count", labels) >= 2
    assert sample("amazon_limiter_wait_seconds_count", labels) >= 2


def test_multifernet_rotation() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    ciphertext = encrypt([old], "Atzr|refresh")
    assert decrypt([new, old], ciphertext) == "Atzr|refresh"
    rotated = rotate([new, old], ciphertext)
    assert decrypt([new], rotated) == "Atzr|refresh"
    with pytest.raises(DecryptionError) as caught:
        decrypt([new], ciphertext)
    assert "Atzr" not in str(caught.value)
