"""The logs of a whole run with the real processes (the API, a worker and the scheduler, against the
emulator) hold no secret and no buyer detail: a seller is onboarded through the API's OAuth flow, its
orders sync, buyer addresses are viewed (v0: with restricted data tokens), the seller disconnects;
then every log file is searched for every access token, refresh token, authorization code and RDT the
emulator issued, the client secret, the user's password and session cookie, the master keys, and the
name, e-mail, phone and street line of every buyer of the seller."""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from typing import Any

import httpx
import pyotp
import pytest
from amazon_emulator.apis._orders_v0_shapes import person
from amazon_emulator.config import EmulatorConfig

from app.kit.embedded import free_port
from app.settings import get_settings
from tests.amazon.support import LoopbackEmulator
from tests.connections.support import DEMO_SELLER_ID, US, consent, emulator_env, register_app
from tests.fixtures.app import wait_for_http
from tests.sync.procs import REPO_ROOT, Product, eventually, json_log, product_env

pytestmark = pytest.mark.usefixtures("clean_state")

NAME = "logs-e2e"
PASSWORD = "a-long-Passphrase-7391"


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=11, demo=True, demo_orders=40, time_scale=1000.0)


def _logs() -> str:
    return "\n".join(
        (REPO_ROOT / "test-results" / f"{NAME}-{role}.log").read_text(errors="replace")
        for role in ("api", "worker", "scheduler")
    )


async def test_a_full_run_logs_no_secret_and_no_buyer_detail(
    served: LoopbackEmulator, emulator_app: Any
) -> None:
    for role in ("api", "worker", "scheduler"):
        (REPO_ROOT / "test-results" / f"{NAME}-{role}.log").unlink(missing_ok=True)
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    registered = register_app(served.url, api)
    env = {
        **product_env(served.url),
        **emulator_env(served.url, api, registered),
        "API_PORT": str(port),
        "PUBLIC_URL": api,
        "ORDERS_API_VERSION": "v0",  # the address through getOrderAddress with an RDT
        "LOG_LEVEL": "DEBUG",  # the most the processes ever say
    }
    product = Product(env, NAME)
    api_process: subprocess.Popen[bytes] | None = None
    cookie = ""
    totp_secret = ""
    recovery_codes: list[str] = []
    try:
        api_process = product._spawn("api")
        wait_for_http(f"{api}/health", proc=api_process, timeout=60)
        product.start_worker()
        product.start_scheduler()
        async with httpx.AsyncClient(base_url=api, timeout=30) as http:
            email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
            credentials_in = {"email": email, "password": PASSWORD}
            signed = await http.post("/api/auth/signup", json=credentials_in)
            assert signed.status_code == 202, signed.text
            signed = await http.post("/api/auth/signin", json=credentials_in)
            assert signed.status_code == 200, signed.text
            cookie = http.cookies["session"]
            http.headers["X-CSRF-Token"] = http.cookies["csrf_token"]
            # A second factor (buyer addresses want one); its secret and codes are secrets too.
            enrolled = await http.post("/api/auth/mfa/enrol")
            assert enrolled.status_code == 200, enrolled.text
            totp_secret = enrolled.json()["secret"]
            confirmed = await http.post("/api/auth/mfa/confirm", json={"code": pyotp.TOTP(totp_secret).now()})
            assert confirmed.status_code == 200, confirmed.text
            recovery_codes = confirmed.json()["recovery_codes"]
            tenant_id = (await http.post("/api/tenants", json={"name": "Logs"})).json()["id"]
            scope = {"tenant_id": tenant_id}
            consent_for = {**scope, "region": "NA", "marketplaces": US}
            started = await http.post("/api/oauth/start", params=consent_for)
            assert started.status_code == 200, started.text
            query = consent(served.url, started.json()["consentUrl"], seller=DEMO_SELLER_ID)
            assert (await http.get("/api/oauth/callback", params=query)).status_code == 303

            async def synced() -> bool:
                page = (await http.get("/api/orders", params={**scope, "limit": 50})).json()
                return len(page.get("orders", [])) >= 5

            await eventually(synced, 150, "the orders sync")
            orders = (await http.get("/api/orders", params={"tenant_id": tenant_id, "limit": 50})).json()[
                "orders"
            ]
            shown = 0
            for order in orders[:8]:
                address = await http.get(
                    f"/api/orders/{order['id']}/address", params={"tenant_id": tenant_id}
                )
                if address.status_code == 200 and address.json()["available"]:
                    shown += 1
            assert shown >= 1, "buyer addresses went through the API"
            connection_id = (await http.get(f"/api/tenants/{tenant_id}/connections")).json()[0]["id"]
            gone = await http.post(f"/api/tenants/{tenant_id}/connections/{connection_id}/disconnect")
            assert gone.status_code == 200, gone.text
    finally:
        if api_process is not None and api_process.poll() is None:
            os.killpg(api_process.pid, signal.SIGTERM)
            api_process.wait(timeout=20)
        product.stop()

    state = emulator_app.state.emulator
    credentials = state.credentials
    secrets = [
        *credentials.access,
        *credentials.refresh,
        *credentials.codes,
        *credentials.rdts,
        registered.client_secret,
        PASSWORD,
        cookie,
        totp_secret,
        *recovery_codes,
        *get_settings().security.encryption_keys,
        get_settings().security.session_secret,
    ]
    assert credentials.rdts, "restricted data tokens were issued (v0 address views)"
    buyers: list[str] = []
    for order in state.sellers[DEMO_SELLER_ID].orders:
        buyer = person(order)
        buyers += [buyer.name, buyer.email, buyer.phone, buyer.address_line1]
    logs = _logs()
    assert "onboarding.connected" in logs and "job" in logs, "the run logged (the files are the run's)"
    # One format: every line of each process (at DEBUG, the most they say) is JSON naming it.
    for role in ("api", "worker", "scheduler"):
        json_log(product.log_path(role), role)
    leaked = sorted({value[:10] + "..." for value in [*secrets, *buyers] if value and value in logs})
    assert leaked == [], f"found in test-results/{NAME}-*.log: {leaked}"
