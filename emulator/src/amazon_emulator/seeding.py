"""Creating sellers and the ``--demo`` fixtures on an :class:`~amazon_emulator.state.EmulatorState`."""

from __future__ import annotations

import random
from collections.abc import Sequence

from amazon_emulator.config import (
    DEFAULT_MARKETPLACES,
    DEMO_APPLICATION_ID,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REDIRECT_URIS,
    DEMO_SELLER_ID,
)
from amazon_emulator.data.generator import OrderFactory, generate_seller
from amazon_emulator.data.models import Seller
from amazon_emulator.state import EmulatorState

_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def factories(state: EmulatorState) -> dict[str, OrderFactory]:
    """Order factories per seller id (used for new orders while running)."""
    return state.extension("order_factories", dict)


def new_seller_id(state: EmulatorState) -> str:
    rng = random.Random(f"{state.config.seed}:seller:{len(state.sellers)}")
    while True:
        candidate = "A" + "".join(rng.choice(_ALNUM) for _ in range(13))
        if candidate not in state.sellers:
            return candidate


def create_seller(
    state: EmulatorState,
    selling_partner_id: str | None = None,
    *,
    marketplaces: Sequence[str] = DEFAULT_MARKETPLACES,
    orders: int = 500,
    months: int = 24,
    seed: int | None = None,
    name: str | None = None,
) -> Seller:
    """Generate and register a seller (replacing one with the same id)."""
    spid = selling_partner_id or new_seller_id(state)
    seller, factory = generate_seller(
        spid,
        marketplaces=list(marketplaces),
        orders=orders,
        months=months,
        seed=state.config.seed if seed is None else seed,
        anchor=state.clock.time(),
        name=name,
    )
    with state.lock:
        state.sellers[spid] = seller
        factories(state)[spid] = factory
    return seller


def install_demo(state: EmulatorState) -> None:
    """The demo application (fixed credentials) and the demo seller with two years of orders."""
    state.credentials.register_app(
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        DEMO_APPLICATION_ID,
        list(DEMO_REDIRECT_URIS),
        name="Emulator Demo App",
    )
    create_seller(
        state,
        DEMO_SELLER_ID,
        orders=state.config.demo_orders,
        months=state.config.demo_months,
        name="Demo Seller Store",
    )
