"""Small helpers shared by the API tests."""

from __future__ import annotations

import time

import httpx

from amazon_emulator.clock import iso_ts
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


def wall() -> float:
    return time.time()
