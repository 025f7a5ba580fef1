"""End to end: the real ``amazon-emulator --demo`` process, a person clicking through the consent page in
Chromium, then the code exchanged for tokens and an SP-API call."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from amazon_emulator.config import (
    DEMO_APPLICATION_ID,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REDIRECT_URIS,
    DEMO_SELLER_ID,
)

RESULTS = Path(__file__).resolve().parents[2] / "test-results"
CHROME_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """The Chromium to drive: ``CHROMIUM_PATH`` when set, else Debian's. A machine without one fails the
    test, saying what to do: a skipped browser test would hide a broken consent page in CI."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        pytest.fail(
            f"Chromium not found at {path}: install Debian's chromium (`make chromium` as root) "
            "or set CHROMIUM_PATH to a Chromium executable",
            pytrace=False,
        )
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def emulator_url() -> Iterator[str]:
    port = _free_port()
    exe = shutil.which("amazon-emulator", path=os.path.dirname(sys.executable)) or "amazon-emulator"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [exe, "--demo", "--port", str(port), "--time-scale", "60", "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{url}/_emulator/health", timeout=0.5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            raise RuntimeError("emulator did not start")
        startup = time.perf_counter() - started
        assert startup < 5, f"--demo took {startup:.1f}s to answer"
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_demo_process_serves_lwa_and_sp_api(emulator_url: str) -> None:
    r = httpx.post(
        f"{emulator_url}/_emulator/self-authorize",
        json={"client_id": DEMO_CLIENT_ID, "selling_partner_id": DEMO_SELLER_ID},
    )
    assert r.status_code == 200
    token = httpx.post(
        f"{emulator_url}/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": r.json()["refresh_token"],
            "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET,
        },
    ).json()["access_token"]
    p = httpx.get(
        f"{emulator_url}/sellers/v1/marketplaceParticipations", headers={"x-amz-access-token": token}
    )
    assert p.status_code == 200 and len(p.json()["payload"]) == 4
    # --time-scale 60: the header announces the real rate, Amazon's 0.016 x 60.
    assert p.headers["x-amzn-RequestId"] and p.headers["x-amzn-RateLimit-Limit"] == "0.96"


def test_person_clicks_through_consent_page(emulator_url: str) -> None:
    chromium = chromium_path()
    from playwright.sync_api import Route, sync_playwright

    RESULTS.mkdir(parents=True, exist_ok=True)
    captured: list[str] = []

    def product_callback(route: Route) -> None:
        captured.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<h1>Connected</h1>")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROME_ARGS)
        try:
            page = browser.new_page()
            page.route("http://127.0.0.1:8000/**", product_callback)
            page.goto(
                f"{emulator_url}/apps/authorize/consent?application_id={DEMO_APPLICATION_ID}"
                "&state=browser-state&version=beta"
            )
            assert page.locator("#app-name").inner_text() == "Emulator Demo App"
            assert page.get_by_label("Demo Seller Store").is_checked()
            page.screenshot(path=str(RESULTS / "emulator-consent-page.png"), full_page=True)
            page.get_by_role("button", name="Authorize").click()
            page.wait_for_url("http://127.0.0.1:8000/**")
            assert page.locator("h1").inner_text() == "Connected"
        finally:
            browser.close()

    assert captured
    url = urlparse(captured[0])
    assert f"{url.scheme}://{url.netloc}{url.path}" == DEMO_REDIRECT_URIS[0]
    q = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert q["state"] == "browser-state" and q["selling_partner_id"] == DEMO_SELLER_ID
    tokens = httpx.post(
        f"{emulator_url}/auth/o2/token",
        data={
            "grant_type": "authorization_code",
            "code": q["spapi_oauth_code"],
            "redirect_uri": DEMO_REDIRECT_URIS[0],
            "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET,
        },
    )
    assert tokens.status_code == 200
    assert tokens.json()["refresh_token"].startswith("Atzr|")


def test_a_missing_chromium_fails_with_what_to_do(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CHROMIUM_PATH", str(tmp_path / "no-chromium"))
    with pytest.raises(pytest.fail.Exception, match=r"Chromium not found at .*no-chromium: .*CHROMIUM_PATH"):
        chromium_path()
    # CHROMIUM_PATH wins over the chromium on PATH.
    given = tmp_path / "my-chromium"
    given.write_text("#!/bin/sh\n")
    given.chmod(0o755)
    monkeypatch.setenv("CHROMIUM_PATH", str(given))
    assert chromium_path() == str(given)
