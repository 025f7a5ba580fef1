"""What the SP-API client needs to authenticate, and nothing more: a `TokenProvider`.

The client never sees refresh tokens, client secrets or the database. `app.tokens` implements the
provider (Redis-cached LWA tokens, single flight, re-authorization handling); tests use tiny fakes.

RDTs are process memory only: `RdtCache` keeps each one until shortly before it expires, keyed by
the exact set of restricted resources, and never writes it anywhere (no Redis, no DB, no logs).
"Shortly" is `margin_s`, or a quarter of the lifetime `expiresIn` announced when that is less, so a
short-lived RDT is still reused for most of its life.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class RestrictedResource:
    method: str
    path: str
    data_elements: tuple[str, ...] = ()

    @classmethod
    def of(cls, method: str, path: str, data_elements: Sequence[str] = ()) -> RestrictedResource:
        return cls(method.upper(), path, tuple(sorted(set(data_elements))))

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {"method": self.method, "path": self.path}
        if self.data_elements:
            body["dataElements"] = list(self.data_elements)
        return body


class TokenProvider(Protocol):
    """Credentials of one selling partner (or of the application, for grantless calls)."""

    async def access_token(self, *, expired: str | None = None) -> str:
        """An LWA access token. `expired`: the token Amazon just called expired (refresh unless
        another caller already has)."""
        ...

    async def restricted_data_token(
        self, resources: Sequence[RestrictedResource], *, expired: str | None = None
    ) -> str:
        """An RDT covering exactly `resources`."""
        ...


@dataclass(frozen=True)
class MintedRdt:
    token: str = field(repr=False)
    expires_in: float


RdtMinter = Callable[[Sequence[RestrictedResource]], Awaitable[MintedRdt]]
# A short-lived RDT is dropped this share of its lifetime early instead of the whole margin.
_MARGIN_SHARE = 0.25


class RdtCache:
    """Process-local RDTs per (owner, resources), dropped min(`margin_s`, a quarter of their
    lifetime) before they expire."""

    def __init__(
        self, *, margin_s: float = 120.0, max_entries: int = 5000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._margin = margin_s
        self._max_entries = max_entries
        self._clock = clock
        self._tokens: dict[tuple[str, tuple[RestrictedResource, ...]], tuple[str, float]] = {}
        self._locks: dict[tuple[str, tuple[RestrictedResource, ...]], asyncio.Lock] = {}

    async def get(
        self,
        owner: str,
        resources: Sequence[RestrictedResource],
        mint: RdtMinter,
        *,
        expired: str | None = None,
    ) -> str:
        key = (owner, tuple(sorted(resources, key=lambda r: (r.method, r.path, r.data_elements))))
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            cached = self._tokens.get(key)
            if cached is not None and cached[0] != expired and self._clock() < cached[1]:
                return cached[0]
            minted = await mint(key[1])
            self._purge()
            announced = max(0.0, minted.expires_in)
            lifetime = announced - min(self._margin, announced * _MARGIN_SHARE)
            # A token announced with no lifetime is used once and not kept.
            if lifetime > 0:
                self._tokens[key] = (minted.token, self._clock() + lifetime)
            else:
                self._tokens.pop(key, None)
            return minted.token

    def clear(self) -> None:
        self._tokens.clear()

    def _purge(self) -> None:
        # RDTs for single orders pile up in a long-running API process: drop the expired ones, and
        # the oldest beyond a bound, so memory stays flat.
        if len(self._tokens) < self._max_entries // 2:
            return
        now = self._clock()
        for key in [k for k, (_, until) in self._tokens.items() if until <= now]:
            self._tokens.pop(key, None)
            lock = self._locks.get(key)
            if lock is not None and not lock.locked():
                self._locks.pop(key, None)
        while len(self._tokens) >= self._max_entries:
            self._tokens.pop(next(iter(self._tokens)))


class SpApiAuth:
    """`CallAuth` for one SP-API call: the RDT when the call is restricted, else the access token."""

    def __init__(
        self, provider: TokenProvider, restricted: Sequence[RestrictedResource] | None = None
    ) -> None:
        self._provider = provider
        self._restricted = list(restricted) if restricted else None
        self._last: str | None = None
        self._expired: str | None = None

    async def headers(self) -> dict[str, str]:
        if self._restricted:
            token = await self._provider.restricted_data_token(self._restricted, expired=self._expired)
        else:
            token = await self._provider.access_token(expired=self._expired)
        self._last = token
        return {"x-amz-access-token": token}

    async def expired(self) -> None:
        self._expired = self._last
