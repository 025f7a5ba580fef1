"""The emulator as a real process, an application registered in it for the API under test, and
helpers that click through its consent pages the way a browser would (form posts)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from app.kit.embedded import free_port
from app.settings import AdsSettings, Settings, SpApiSettings
from tests.fixtures.app import REPO_ROOT, wait_for_http

DEMO_SELLER_ID = "A1DEMOSELLER0001"
# Where the API under test says it lives (redirect URIs registered with the emulator).
API_BASE = "http://127.0.0.1:8000"
US, CA, MX, BR = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8", "A2Q3Y263D00KWC"


def _emulator_command() -> list[str]:
    script = Path(sys.executable).with_name("amazon-emulator")
    return [str(script)] if script.exists() else [shutil.which("amazon-emulator") or "amazon-emulator"]


@pytest.fixture(scope="session")
def emulator_url() -> Iterator[str]:
    """`amazon-emulator --demo` on a free loopback port (a small demo seller keeps start-up quick)."""
    port = free_port()
    log_path = REPO_ROOT / "test-results" / "onboarding-emulator.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            [
                *_emulator_command(),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--demo",
                "--demo-orders",
                "200",
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=os.environ.copy(),
        )
        try:
            wait_for_http(f"http://127.0.0.1:{port}/_emulator/health", proc=proc, timeout=60)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(timeout=15)


@dataclass(frozen=True)
class RegisteredApp:
    client_id: str
    client_secret: str
    application_id: str


def register_app(emulator: str, api_base: str) -> RegisteredApp:
    """A fresh LWA/SP-API application whose redirect URIs are the API under test's callbacks."""
    app = RegisteredApp(
        client_id=f"amzn1.application-oa2-client.test{uuid.uuid4().hex[:12]}",
        client_secret=f"secret-{uuid.uuid4().hex}",
        application_id=f"amzn1.sp.solution.test{uuid.uuid4().hex[:12]}",
    )
    response = httpx.post(
        f"{emulator}/_emulator/apps",
        json={
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "application_id": app.application_id,
            "redirect_uris": [f"{api_base}/api/oauth/callback", f"{api_base}/api/ads/oauth/callback"],
            "name": "spapi-saas under test",
        },
    )
    assert response.status_code == 201, response.text
    return app


def emulator_env(emulator: str, api_base: str, app: RegisteredApp) -> dict[str, str]:
    """Environment for `spapi-saas api`: every Amazon URL at the emulator, our app's credentials."""
    env = {
        "LWA_TOKEN_URL": f"{emulator}/auth/o2/token",
        "SELLER_CENTRAL_URL_OVERRIDE": emulator,
        "LWA_CLIENT_ID": app.client_id,
        "LWA_CLIENT_SECRET": app.client_secret,
        "SPAPI_APPLICATION_ID": app.application_id,
        "ADS_CLIENT_ID": app.client_id,
        "ADS_CLIENT_SECRET": app.client_secret,
        "OAUTH_REDIRECT_URI": f"{api_base}/api/oauth/callback",
        "LWA_REDIRECT_URI": f"{api_base}/api/ads/oauth/callback",
    }
    for region in ("NA", "EU", "FE"):
        env[f"SPAPI_BASE_{region}"] = emulator
        env[f"ADS_API_BASE_{region}"] = emulator
        env[f"ADS_TOKEN_URL_{region}"] = f"{emulator}/auth/o2/token"
        env[f"ADS_CONSENT_URL_{region}"] = f"{emulator}/ap/oa"
    return env


def emulator_settings(emulator: str, api_base: str, app: RegisteredApp) -> Settings:
    env = {k.lower(): v for k, v in emulator_env(emulator, api_base, app).items()}
    sp = {k: v for k, v in env.items() if k in SpApiSettings.model_fields}
    ads = {k: v for k, v in env.items() if k in AdsSettings.model_fields}
    return Settings(spapi=SpApiSettings(**sp), ads=AdsSettings(**ads))


def consent(
    emulator: str, consent_url: str, *, seller: str = DEMO_SELLER_ID, cancel: bool = False
) -> dict[str, str]:
    """Press Authorize (or Cancel) on the emulator's consent page; returns the callback's query."""
    query = {k: v[0] for k, v in parse_qs(urlparse(consent_url).query).items()}
    if "/ap/oa" in consent_url:
        form = {**query, "selling_partner_id": seller, "decision": "cancel" if cancel else "allow"}
        response = httpx.post(f"{emulator}/ap/oa/consent", data=form)
    else:
        form = {
            "application_id": query["application_id"],
            "state": query["state"],
            "redirect_uri": query.get("redirect_uri", ""),
            "selling_partner_id": seller,
            "decision": "cancel" if cancel else "authorize",
        }
        response = httpx.post(f"{emulator}/apps/authorize/confirm", data=form)
    assert response.status_code == 302, response.text
    return {k: v[0] for k, v in parse_qs(urlparse(response.headers["location"]).query).items()}
