"""Sellers responses against the official model."""

from __future__ import annotations

import httpx

from emulator_contract import require_models, validate


async def test_participations_contract(client: httpx.AsyncClient, token: str) -> None:
    require_models()
    ok = await client.get("/sellers/v1/marketplaceParticipations", headers={"x-amz-access-token": token})
    assert ok.status_code == 200
    validate("sellers", ok)
    denied = await client.get("/sellers/v1/marketplaceParticipations")
    assert denied.status_code == 403
    validate("sellers", denied)
