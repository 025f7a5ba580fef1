"""TOTP for tests: enrol a signed-in client, and codes an authenticator app would show.

A code is accepted once per 30-second step, for the step before now, now and the step after; the
codes here walk those steps forward so a test can use up to three in a row without waiting.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import httpx
import pyotp
from playwright.sync_api import Page


@dataclass
class Authenticator:
    secret: str
    recovery_codes: list[str] = field(default_factory=list)
    last_step: int = -1

    def code(self) -> str:
        """The code of the earliest step still accepted and not used yet by this authenticator."""
        totp = pyotp.TOTP(self.secret)
        now_step = totp.timecode(_now())
        step = max(self.last_step + 1, now_step - 1)
        if step > now_step + 1:
            raise RuntimeError("three codes used in this window: wait for the next one")
        self.last_step = step
        return totp.generate_otp(step)

    async def fresh_code(self) -> str:
        """Like `code`, waiting for the next 30-second step when this one is used up."""
        try:
            return self.code()
        except RuntimeError:
            await asyncio.sleep(30 - time.time() % 30 + 0.5)
            return self.code()


def _now() -> float:
    return time.time()


async def enrol(client: httpx.AsyncClient) -> Authenticator:
    """Turn MFA on for the signed-in client (its session becomes MFA-verified)."""
    started = await client.post("/api/auth/mfa/enrol")
    assert started.status_code == 200, started.text
    authenticator = Authenticator(started.json()["secret"])
    confirmed = await client.post("/api/auth/mfa/confirm", json={"code": authenticator.code()})
    assert confirmed.status_code == 200, confirmed.text
    authenticator.recovery_codes = confirmed.json()["recovery_codes"]
    return authenticator


def enrol_browser(page: Page, base_url: str) -> str:
    """Turn MFA on for the browser's signed-in user through the API (its session becomes
    MFA-verified); returns the TOTP secret. For browser tests about something else than enrolment."""
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrf_token")
    headers = {"X-CSRF-Token": csrf}
    started = page.request.post(f"{base_url}/api/auth/mfa/enrol", headers=headers)
    assert started.ok, started.text()
    secret: str = started.json()["secret"]
    confirmed = page.request.post(
        f"{base_url}/api/auth/mfa/confirm", headers=headers, data={"code": pyotp.TOTP(secret).now()}
    )
    assert confirmed.ok, confirmed.text()
    return secret
