"""The chaos soak's agency: one user who connects each seller in a tenant of its own, the way the
panel does it (sign up, create a tenant, `POST /api/oauth/start`, the emulator's Seller Central consent
form, then the API's OAuth callback), and reads what the API says about its connections."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

PASSWORD = "chaos-soak-password-1"


class OnboardingFailed(Exception):
    pass


@dataclass
class Onboarded:
    seller_id: str
    tenant_id: str
    connection_id: str
    marketplaces: list[str]
    orders: int
    attempts: int


class Agency:
    def __init__(self, api_url: str, emulator_url: str) -> None:
        self.api = httpx.AsyncClient(base_url=api_url, timeout=60)
        self.emulator = httpx.AsyncClient(base_url=emulator_url, timeout=600)
        self.email = f"chaos-{uuid.uuid4().hex[:10]}@example.com"
        # API reads answered 5xx (or not at all) and asked again: after a PostgreSQL restart the API's
        # first statement on each pooled connection fails by design (no pre-ping; the caller retries).
        self.retried: list[str] = []

    async def close(self) -> None:
        await self.api.aclose()
        await self.emulator.aclose()

    async def sign_up(self) -> None:
        answer = await self.api.post(
            "/api/auth/signup", json={"email": self.email, "password": PASSWORD, "name": "Chaos agency"}
        )
        # Sign-up signs nobody in (its answer is the same for an address that has an account).
        _expect(answer, 202, "sign up")
        await self.sign_in()

    async def sign_in(self) -> None:
        """Again (a session survives restarts; this is for a session the API no longer knows)."""
        answer = await self.api.post("/api/auth/signin", json={"email": self.email, "password": PASSWORD})
        _expect(answer, 200, "sign in")
        self.api.headers["X-CSRF-Token"] = self.api.cookies["csrf_token"]

    async def create_seller(self, seller_id: str, orders: int, marketplaces: list[str], seed: int) -> None:
        answer = await self.emulator.post(
            "/_emulator/sellers",
            json={
                "selling_partner_id": seller_id,
                "marketplaces": marketplaces,
                "orders": orders,
                "months": 24,
                "seed": seed,
            },
        )
        _expect(answer, 201, "the emulator's seller")

    async def connect(
        self, seller_id: str, marketplaces: list[str], tenant_id: str | None
    ) -> tuple[str, str]:
        """One pass of the panel's flow; returns (tenant id, connection id). The tenant is kept between
        attempts so a retried onboarding does not leave an empty tenant behind."""
        if tenant_id is None:
            answer = await self.api.post("/api/tenants", json={"name": f"Chaos {seller_id}"})
            _expect(answer, 201, "create the tenant")
            tenant_id = str(answer.json()["id"])
        answer = await self.api.post(
            "/api/oauth/start", params={"tenant_id": tenant_id, "region": "NA", "marketplaces": marketplaces}
        )
        _expect(answer, 200, "oauth start")
        query = {k: v[0] for k, v in parse_qs(urlparse(answer.json()["consentUrl"]).query).items()}
        answer = await self.emulator.post(
            "/apps/authorize/confirm",
            data={
                "application_id": query["application_id"],
                "state": query["state"],
                "redirect_uri": query.get("redirect_uri", ""),
                "selling_partner_id": seller_id,
                "decision": "authorize",
            },
        )
        _expect(answer, 302, "the consent page")
        back = {k: v[0] for k, v in parse_qs(urlparse(answer.headers["location"]).query).items()}
        answer = await self.api.get("/api/oauth/callback", params=back)
        if answer.status_code != 303 or "connected=1" not in answer.headers.get("location", ""):
            raise OnboardingFailed(f"the OAuth callback answered {answer.status_code}: {answer.text[:200]}")
        for connection in await self.connections(tenant_id):
            if connection["provider"] == "amazon_sp" and connection["account_id"] == seller_id:
                return tenant_id, str(connection["id"])
        raise OnboardingFailed("the callback succeeded but the API lists no connection")

    async def get(self, path: str, tries: int = 5) -> httpx.Response:
        """A read of the API, asked again (1 s apart) while it answers 5xx or not at all."""
        for attempt in range(1, tries + 1):
            try:
                answer = await self.api.get(path)
            except httpx.TransportError as exc:
                if attempt == tries:
                    raise
                self.retried.append(f"GET {path}: {type(exc).__name__}")
            else:
                if answer.status_code < 500 or attempt == tries:
                    return answer
                self.retried.append(f"GET {path}: HTTP {answer.status_code}")
            await asyncio.sleep(1.0)
        raise AssertionError("unreachable")

    async def connections(self, tenant_id: str) -> list[dict[str, Any]]:
        answer = await self.get(f"/api/tenants/{tenant_id}/connections")
        if answer.status_code == 401:
            await self.sign_in()
            answer = await self.get(f"/api/tenants/{tenant_id}/connections")
        _expect(answer, 200, "list the connections")
        listed: list[dict[str, Any]] = answer.json()
        return listed


def _expect(answer: httpx.Response, status: int, what: str) -> None:
    if answer.status_code != status:
        raise OnboardingFailed(f"{what}: HTTP {answer.status_code} {answer.text[:200]}")
