"""RDTs in process memory: reused for the same resources until shortly before expiry, re-minted when
Amazon calls one expired, bounded in number."""

from __future__ import annotations

from collections.abc import Sequence

from app.spapi.auth import MintedRdt, RdtCache, RestrictedResource


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_reuse_expiry_and_bound() -> None:
    clock = Clock()
    cache = RdtCache(margin_s=60, max_entries=4, clock=clock)
    minted: list[str] = []

    async def mint(resources: Sequence[RestrictedResource]) -> MintedRdt:
        minted.append(f"Atz.sprdt|{len(minted)}")
        return MintedRdt(minted[-1], 3600)

    address = [RestrictedResource.of("GET", "/orders/v0/orders/1/address")]
    first = await cache.get("conn", address, mint)
    assert await cache.get("conn", address, mint) == first
    assert await cache.get("other-connection", address, mint) != first
    clock.now = 3600 - 59  # within the margin: minted again
    second = await cache.get("conn", address, mint)
    assert second != first
    assert await cache.get("conn", address, mint, expired=second) != second
    for n in range(10):
        await cache.get("conn", [RestrictedResource.of("GET", f"/orders/v0/orders/{n}/address")], mint)
    assert len(cache._tokens) <= 4


async def test_a_short_lived_rdt_is_reused_for_most_of_its_life() -> None:
    clock = Clock()
    cache = RdtCache(margin_s=120, clock=clock)
    minted: list[str] = []

    async def mint(resources: Sequence[RestrictedResource]) -> MintedRdt:
        minted.append(f"Atz.sprdt|{len(minted)}")
        return MintedRdt(minted[-1], 60)  # a one-minute RDT: dropped a quarter of it early, not 120 s

    address = [RestrictedResource.of("GET", "/orders/v0/orders/1/address")]
    first = await cache.get("conn", address, mint)
    clock.now = 44.0
    assert await cache.get("conn", address, mint) == first
    clock.now = 45.5
    assert await cache.get("conn", address, mint) != first
