"""Seeded data: determinism, scale, timelines moving with time, summary truth."""

from __future__ import annotations

import time

import httpx

from amazon_emulator.config import DEMO_SELLER_ID
from amazon_emulator.data.activity import add_activity, changes_between, summary
from amazon_emulator.data.generator import generate_seller
from amazon_emulator.data.models import PENDING
from amazon_emulator.state import EmulatorState

ANCHOR = 1_790_000_000.0


def test_same_seed_same_data_other_seed_other_data() -> None:
    a, _ = generate_seller("A1", marketplaces=["US", "BR"], orders=300, months=24, seed=5, anchor=ANCHOR)
    b, _ = generate_seller("A1", marketplaces=["US", "BR"], orders=300, months=24, seed=5, anchor=ANCHOR)
    c, _ = generate_seller("A1", marketplaces=["US", "BR"], orders=300, months=24, seed=6, anchor=ANCHOR)
    assert [o.amazon_order_id for o in a.orders] == [o.amazon_order_id for o in b.orders]
    assert [o.timeline for o in a.orders] == [o.timeline for o in b.orders]
    assert [o.amazon_order_id for o in a.orders] != [o.amazon_order_id for o in c.orders]
    assert summary(a, ANCHOR) == summary(b, ANCHOR)
    assert summary(a, ANCHOR)["total_orders"] == 300
    assert all(ANCHOR - 730 * 86400 < o.purchase_ts for o in a.orders)


def test_hundred_thousand_orders_in_a_few_seconds() -> None:
    # This process's CPU time, not the wall clock: the API's tests run beside these and share the cores.
    started = time.process_time()
    seller, _ = generate_seller(
        "BIG", marketplaces=["US", "CA", "MX", "BR"], orders=100_000, months=24, seed=1, anchor=ANCHOR
    )
    elapsed = time.process_time() - started
    assert summary(seller, ANCHOR)["total_orders"] == 100_000
    assert elapsed < 8, f"generation took {elapsed:.1f}s"


def test_statuses_move_as_time_passes_and_future_orders_appear() -> None:
    seller, _ = generate_seller("T1", marketplaces=["US"], orders=2000, months=24, seed=3, anchor=ANCHOR)
    moving = [o for o in seller.orders if o.purchase_ts <= ANCHOR and o.timeline[-1][0] > ANCHOR]
    assert moving, "recent orders must still have status changes ahead"
    later = ANCHOR + 5 * 86400
    assert any(o.status_at(later) != o.status_at(ANCHOR) for o in moving)
    assert any(o.last_update_at(later) != o.last_update_at(ANCHOR) for o in moving)
    assert summary(seller, later)["total_orders"] > summary(seller, ANCHOR)["total_orders"]
    # Every order starts Pending.
    assert all(o.timeline[0][1] == PENDING for o in seller.orders)


async def test_admin_seller_summary_and_activity(client: httpx.AsyncClient, state: EmulatorState) -> None:
    r = await client.post(
        "/_emulator/sellers", json={"marketplaces": ["US", "MX"], "orders": 250, "months": 6, "seed": 9}
    )
    assert r.status_code == 201
    spid = r.json()["selling_partner_id"]
    s = (await client.get(f"/_emulator/sellers/{spid}/summary")).json()
    assert s["total_orders"] == 250
    assert set(s["by_marketplace"]) == {"ATVPDKIKX0DER", "A1AM78C64UM0Y8"}
    assert sum(s["by_status"].values()) == 250
    assert s["total_items"] >= 250 and s["newest_last_update"]
    act = (
        await client.post(f"/_emulator/sellers/{spid}/activity", json={"new_orders": 5, "updates": 3})
    ).json()
    assert len(act["created"]) == 5 and len(act["updated"]) == 3
    after = (await client.get(f"/_emulator/sellers/{spid}/summary")).json()
    assert after["total_orders"] == 255
    assert (await client.get("/_emulator/sellers/NOPE/summary")).status_code == 404


def test_demo_seller_is_there(state: EmulatorState) -> None:
    seller = state.sellers[DEMO_SELLER_ID]
    assert seller.marketplace_ids() == ["ATVPDKIKX0DER", "A2Q3Y263D00KWC", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8"]
    assert seller.orders[0].purchase_ts < state.clock.time() - 700 * 86400


def test_changes_between_lists_time_driven_changes() -> None:
    seller, _ = generate_seller("T2", marketplaces=["US"], orders=1500, months=24, seed=4, anchor=ANCHOR)
    changes = changes_between(seller, ANCHOR, ANCHOR + 2 * 86400)
    assert changes
    assert all(ANCHOR < when <= ANCHOR + 2 * 86400 for when, _ in changes)
    assert [when for when, _ in changes] == sorted(when for when, _ in changes)
    new_orders = {o.amazon_order_id for o in seller.orders if ANCHOR < o.purchase_ts <= ANCHOR + 2 * 86400}
    assert new_orders <= {o.amazon_order_id for _, o in changes}


async def test_admin_order_truth(client: httpx.AsyncClient, state: EmulatorState) -> None:
    order = state.sellers[DEMO_SELLER_ID].orders[5]
    r = await client.get(f"/_emulator/sellers/{DEMO_SELLER_ID}/orders/{order.amazon_order_id}")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == order.status_at(state.clock.time())
    assert len(body["items"]) == len(order.items)
    assert (
        await client.get(f"/_emulator/sellers/{DEMO_SELLER_ID}/orders/000-0000000-0000000")
    ).status_code == 404


def test_activity_leaves_out_the_orders_it_is_told_to() -> None:
    seller, factory = generate_seller("T3", marketplaces=["US"], orders=300, months=1, seed=2, anchor=ANCHOR)
    first = add_activity(seller, factory, 0, 5, ANCHOR)["updated"]
    # A second change a second later moves the newest open orders again (those just moved among
    # them), unless told to leave them out.
    again = add_activity(seller, factory, 0, 5, ANCHOR + 1)["updated"]
    assert set(again) & set(first)
    apart = add_activity(seller, factory, 0, 5, ANCHOR + 2, exclude=first + again)["updated"]
    assert len(apart) == 5 and not set(apart) & (set(first) | set(again))
