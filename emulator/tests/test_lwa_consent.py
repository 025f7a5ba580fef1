"""Login with Amazon token endpoint and the two consent pages (in-process)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
from fastapi import FastAPI

from amazon_emulator.app import create_app
from amazon_emulator.config import (
    DEMO_APPLICATION_ID,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REDIRECT_URIS,
    DEMO_SELLER_ID,
    EmulatorConfig,
)
from amazon_emulator.state import EmulatorState

from emulator_helpers import refresh_token_for

CREDS = {"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET}


async def _consent_code(
    client: httpx.AsyncClient, seller: str = DEMO_SELLER_ID
) -> tuple[str, dict[str, str]]:
    page = await client.get(
        "/apps/authorize/consent",
        params={"application_id": DEMO_APPLICATION_ID, "state": "st-1", "version": "beta"},
    )
    assert page.status_code == 200
    assert "Emulator Demo App" in page.text and "Authorize" in page.text
    assert DEMO_SELLER_ID in page.text
    form = dict(re.findall(r"name='(\w+)' value='([^']*)'", page.text))
    r = await client.post(
        "/apps/authorize/confirm",
        data={**form, "selling_partner_id": seller, "decision": "authorize"},
    )
    assert r.status_code == 302
    location = r.headers["location"]
    assert location.startswith(DEMO_REDIRECT_URIS[0] + "?")
    params = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
    return params["spapi_oauth_code"], params


async def test_website_workflow_code_exchange_and_single_use(client: httpx.AsyncClient) -> None:
    code, params = await _consent_code(client)
    assert params["state"] == "st-1"
    assert params["selling_partner_id"] == DEMO_SELLER_ID
    r = await client.post(
        "/auth/o2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": DEMO_REDIRECT_URIS[0],
            **CREDS,
        },
    )
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    assert body["access_token"].startswith("Atza|") and body["refresh_token"].startswith("Atzr|")
    assert r.headers["cache-control"] == "no-store"
    again = await client.post(
        "/auth/o2/token", data={"grant_type": "authorization_code", "code": code, **CREDS}
    )
    assert again.status_code == 400
    assert again.json() == {
        "error_description": "The request has an invalid grant parameter : code",
        "error": "invalid_grant",
    }
    # The refresh token works and comes back unchanged.
    refreshed = await client.post(
        "/auth/o2/token",
        data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"], **CREDS},
    )
    assert refreshed.status_code == 200
    assert refreshed.json()["refresh_token"] == body["refresh_token"]


async def test_code_expires_after_five_amazon_minutes(
    client: httpx.AsyncClient, state: EmulatorState
) -> None:
    code, _ = await _consent_code(client)
    state.clock.advance(301)
    r = await client.post("/auth/o2/token", data={"grant_type": "authorization_code", "code": code, **CREDS})
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


async def test_new_seller_account_from_consent(client: httpx.AsyncClient) -> None:
    _, params = await _consent_code(client, seller="__new__")
    new_id = params["selling_partner_id"]
    assert new_id != DEMO_SELLER_ID
    summary = (await client.get(f"/_emulator/sellers/{new_id}/summary")).json()
    assert summary["total_orders"] > 0


async def test_cancel_redirects_with_access_denied(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/apps/authorize/confirm",
        data={"application_id": DEMO_APPLICATION_ID, "state": "s", "decision": "cancel"},
    )
    assert r.status_code == 302 and "error=access_denied" in r.headers["location"]


async def test_consent_errors(client: httpx.AsyncClient) -> None:
    r = await client.get(
        "/apps/authorize/consent", params={"application_id": "amzn1.sp.solution.nope", "state": "s"}
    )
    assert r.status_code == 400 and "not found" in r.text
    r = await client.get(
        "/apps/authorize/consent",
        params={
            "application_id": DEMO_APPLICATION_ID,
            "state": "s",
            "redirect_uri": "https://evil.example/cb",
        },
    )
    assert r.status_code == 400


async def test_lwa_errors(client: httpx.AsyncClient) -> None:
    r = await client.post("/auth/o2/token", data={"grant_type": "password", **CREDS})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    r = await client.post(
        "/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": "Atzr|x",
            "client_id": DEMO_CLIENT_ID,
            "client_secret": "bad",
        },
    )
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    r = await client.post(
        "/auth/o2/token", data={"grant_type": "refresh_token", "refresh_token": "Atzr|x", **CREDS}
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    r = await client.post(
        "/auth/o2/token", data={"grant_type": "client_credentials", "scope": "profile", **CREDS}
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"


async def test_revoked_refresh_token_is_invalid_grant(client: httpx.AsyncClient) -> None:
    refresh = await refresh_token_for(client)
    r = await client.post("/_emulator/faults", json={"revoke_refresh_token": refresh})
    assert r.json()["revoked"] is True
    r = await client.post(
        "/auth/o2/token", data={"grant_type": "refresh_token", "refresh_token": refresh, **CREDS}
    )
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_grant"
    assert "revoked" in r.json()["error_description"]


async def test_grantless_tokens(client: httpx.AsyncClient) -> None:
    for scope in ("sellingpartnerapi::notifications", "sellingpartnerapi::client_credential:rotation"):
        r = await client.post(
            "/auth/o2/token", data={"grant_type": "client_credentials", "scope": scope, **CREDS}
        )
        assert r.status_code == 200
        body = r.json()
        assert "refresh_token" not in body and body["expires_in"] == 3600
        # A grantless token cannot call seller operations.
        denied = await client.get(
            "/sellers/v1/marketplaceParticipations", headers={"x-amz-access-token": body["access_token"]}
        )
        assert denied.status_code == 403


async def test_ads_consent_flow(client: httpx.AsyncClient) -> None:
    uri = DEMO_REDIRECT_URIS[2]
    params = {
        "client_id": DEMO_CLIENT_ID,
        "scope": "advertising::campaign_management",
        "response_type": "code",
        "redirect_uri": uri,
        "state": "ads-state",
    }
    page = await client.get("/ap/oa", params=params)
    assert page.status_code == 200 and "Allow" in page.text
    r = await client.post(
        "/ap/oa/consent", data={**params, "selling_partner_id": DEMO_SELLER_ID, "decision": "allow"}
    )
    assert r.status_code == 302
    q = {k: v[0] for k, v in parse_qs(urlparse(r.headers["location"]).query).items()}
    assert q["state"] == "ads-state" and q["scope"] == "advertising::campaign_management"
    tok = await client.post(
        "/auth/o2/token",
        data={"grant_type": "authorization_code", "code": q["code"], "redirect_uri": uri, **CREDS},
    )
    assert tok.status_code == 200
    # An Ads token is not an SP-API token.
    denied = await client.get(
        "/sellers/v1/marketplaceParticipations", headers={"x-amz-access-token": tok.json()["access_token"]}
    )
    assert denied.status_code == 403
    bad = await client.get("/ap/oa", params={**params, "redirect_uri": "https://evil.example/"})
    assert bad.status_code == 400


async def _refresh(app: FastAPI, refresh: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e.test") as c:
        return await c.post(
            "/auth/o2/token", data={"grant_type": "refresh_token", "refresh_token": refresh, **CREDS}
        )


async def test_grants_file_keeps_refresh_tokens_across_a_restart(tmp_path: Path) -> None:
    grants = tmp_path / "grants.json"
    first = create_app(EmulatorConfig(seed=7, demo=True, demo_orders=50, grants_file=grants))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url="http://e.test") as c:
        kept, revoked = await refresh_token_for(c), await refresh_token_for(c)
        await c.post("/_emulator/faults", json={"revoke_refresh_token": revoked})
    assert grants.stat().st_mode & 0o777 == 0o600  # tokens: readable by their owner only
    # The same file, a new process: the grant refreshes, the revoked one stays revoked.
    again = create_app(EmulatorConfig(seed=7, demo=True, demo_orders=50, grants_file=grants))
    answer = await _refresh(again, kept)
    assert answer.status_code == 200 and answer.json()["access_token"].startswith("Atza|")
    refused = await _refresh(again, revoked)
    assert refused.status_code == 400 and "revoked" in refused.json()["error_description"]
    # Without the file (the default) nothing survives; a reset forgets the file too.
    assert (
        await _refresh(create_app(EmulatorConfig(seed=7, demo=True, demo_orders=50)), kept)
    ).status_code == 400
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=again), base_url="http://e.test") as c:
        assert (await c.post("/_emulator/reset")).status_code in (200, 204)
    assert not grants.exists()
    assert (await _refresh(again, kept)).status_code == 400
