"""Small helpers shared by the API tests."""

from __future__ import annotations

import httpx

from amazon_emulator.clock import iso_ts
from amazon_emulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_SELLER_ID
from amazon_emulator.state import EmulatorState

US = "ATVPDKIKX0DER"


def ago(state: EmulatorState, seconds: float) -> str:
    """ISO timestamp ``seconds`` before the emulator's now."""
    return iso_ts(state.clock.time() - seconds)


def days_ago(state: EmulatorState, days: float) -> str:
    return ago(state, days * 86400)


def auth(token: str) -> dict[str, str]:
    return {"x-amz-access-token": token}


async def create_rdt(
    client: httpx.AsyncClient, token: str, resources: list[dict[str, object]]
) -> httpx.Response:
    return await client.post(
        "/tokens/2021-03-01/restrictedDataToken", json={"restrictedResources": resources}, headers=auth(token)
    )


async def refresh_token_for(client: httpx.AsyncClient, seller: str = DEMO_SELLER_ID) -> str:
    r = await client.post(
        "/_emulator/self-authorize", json={"client_id": DEMO_CLIENT_ID, "selling_partner_id": seller}
    )
    assert r.status_code == 200, r.text
    token: str = r.json()["refresh_token"]
    return token


async def refresh_grant(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    """LWA's answer to the demo app's refresh_token grant."""
    return await client.post(
        "/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET,
        },
    )


async def access_token_for(client: httpx.AsyncClient, seller: str = DEMO_SELLER_ID) -> str:
    r = await refresh_grant(client, await refresh_token_for(client, seller))
    assert r.status_code == 200, r.text
    token: str = r.json()["access_token"]
    return token


async def grantless_token(client: httpx.AsyncClient, scope: str = "sellingpartnerapi::notifications") -> str:
    r = await client.post(
        "/auth/o2/token",
        data={
            "grant_type": "client_credentials",
            "scope": scope,
            "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET,
        },
    )
    assert r.status_code == 200, r.text
    token: str = r.json()["access_token"]
    return token
