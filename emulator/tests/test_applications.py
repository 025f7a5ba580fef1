"""Application Management 2023-11-30: rotateApplicationClientSecret, the new secret, the old one's grace."""

from __future__ import annotations

import httpx
import pytest

from amazon_emulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from amazon_emulator.state import EmulatorState

from emulator_contract import validate
from emulator_helpers import auth, grantless_token

ROTATION = "sellingpartnerapi::client_credential:rotation"


async def lwa(client: httpx.AsyncClient, secret: str) -> httpx.Response:
    return await client.post(
        "/auth/o2/token",
        data={
            "grant_type": "client_credentials",
            "scope": "sellingpartnerapi::notifications",
            "client_id": DEMO_CLIENT_ID,
            "client_secret": secret,
        },
    )


async def rotate(client: httpx.AsyncClient) -> str:
    token = await grantless_token(client, ROTATION)
    r = await client.post("/applications/2023-11-30/clientSecret", headers=auth(token))
    assert r.status_code == 204, r.text
    assert r.content == b""
    validate("applications", r)
    outbox = (
        await client.get(
            "/_emulator/notifications", params={"notification_type": "APPLICATION_OAUTH_CLIENT_NEW_SECRET"}
        )
    ).json()
    message = outbox[-1]["message"]
    assert message["notificationVersion"] == "1.0" and message["payloadVersion"] == "2023-11-30"
    payload = message["payload"]["applicationOAuthClientNewSecret"]
    assert payload["clientId"] == DEMO_CLIENT_ID
    assert payload["oldClientSecretExpiryTime"] < payload["newClientSecretExpiryTime"]
    secret: str = payload["newClientSecret"]
    return secret


async def test_rotation_new_secret_works_old_one_during_grace(
    client: httpx.AsyncClient, state: EmulatorState
) -> None:
    new_secret = await rotate(client)
    assert new_secret.startswith("amzn1.oa2-cs.v1.")
    assert (await lwa(client, new_secret)).status_code == 200
    assert (await lwa(client, DEMO_CLIENT_SECRET)).status_code == 200
    state.clock.advance(6 * 86400)
    assert (await lwa(client, DEMO_CLIENT_SECRET)).status_code == 200
    state.clock.advance(1 * 86400 + 1)
    old = await lwa(client, DEMO_CLIENT_SECRET)
    assert old.status_code == 401 and old.json()["error"] == "invalid_client"
    assert (await lwa(client, new_secret)).status_code == 200


async def test_second_rotation_shortens_the_previous_secret(
    client: httpx.AsyncClient, state: EmulatorState
) -> None:
    first = await rotate(client)
    state.clock.advance(86400)
    second = await rotate(client)
    assert first != second
    state.clock.advance(7 * 86400 + 1)
    assert (await lwa(client, first)).status_code == 401
    assert (await lwa(client, second)).status_code == 200


@pytest.mark.parametrize("scope", ["sellingpartnerapi::notifications", None])
async def test_rotation_needs_the_rotation_scope(
    client: httpx.AsyncClient, token: str, scope: str | None
) -> None:
    access = await grantless_token(client, scope) if scope else token
    r = await client.post("/applications/2023-11-30/clientSecret", headers=auth(access))
    assert r.status_code == 403
    validate("applications", r)


async def test_not_enrolled_when_a_destination_is_required(
    client: httpx.AsyncClient, state: EmulatorState
) -> None:
    state.config.extra["rotation_requires_destination"] = True
    token = await grantless_token(client, ROTATION)
    r = await client.post("/applications/2023-11-30/clientSecret", headers=auth(token))
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "InvalidInput"
    validate("applications", r)
