"""B1: 24-month backfill of one seller in one marketplace, by the product itself, at
several sizes, with a naive client's time on the same seller as an anchor.

The emulator runs with its clock scaled (`--time-scale`, rates x S, durations / S, and
announced so); the product's worker and scheduler run as processes and pace themselves
on what it announces. The seller is onboarded as the OAuth callback leaves it and
nothing else is done until the backfill completes (the product plans it across order
reports and searchOrders pages, `SYNC_BACKFILL_PATHS` planned, its default). Then one
delta is asked for (orders of the last two minutes before onboarding are the delta's,
as lastUpdatedBefore is always now - 2 min), and the orders and lines purchased in the
backfill's range (the 730 days before onboarding, less 2 minutes) are compared with
the emulator's truth as of the range's end, which counts exactly that range.

Printed per size: the Amazon time to complete (wall time x S), and two lower bounds,
each the fastest any client could load the range within every quota at once, with no
local work, and never less than one round trip (`ROUND_TRIP_S`):

- the bound for this seller's orders (`seller_bound`), from the purchase times of the
  seller's orders in the range (the emulator's truth): order reports of at most 30
  days (createReport and getReportDocument 0.0167/s burst 15, each made in 60 s), a
  report costing the same whatever it holds, and pages (searchOrders pages of 100
  orders, 0.0056/s burst 20; getOrders pages of 100, 0.0167/s burst 20, with
  getOrderItems per order, 0.5/s burst 30) costing per order; the pages go to the span
  of days (one contiguous span, or the oldest and the newest ends) with the fewest
  orders. The emulator's sellers grow over the two years (more orders per day toward
  now), so this differs from the even spread. The targets are checked against this
  bound.
  The same bound over order reports and searchOrders alone is printed too: the paths
  the product plans with (getOrders with getOrderItems per order is a third quota it
  does not spend beside searchOrders). And the bound with the onboarding's delta first
  (`delta_first`: searchOrders' bucket a token short when the backfill starts), as the
  product's delta goes before its backfill: one page fewer for the range is worth a
  report at some sizes (2,000 orders: 1 s without the delta, 60 s with it).
- the combined bound with the orders spread evenly over the 730 days
  (`app.sync.backfill_plan.combined_bound`); below about 2,000 orders searchOrders'
  burst alone covers the history and the quotas bound nothing.

Then the reports-only bound (what the product did before it planned) and the naive
per-order bound. Targets: within 1.1x of the seller's bound at every size, under 180 s
of Amazon time at 5,000 orders.

The anchor: after the product's run, python-amazon-sp-api's naive per-order loop
(`bench/_anchor_naive.py`: getOrders pages, then getOrderItems for every order; run in
its own virtualenv, `make anchor-venv`) loads the same seller (same id, seed and size)
from a fresh emulator, and its Amazon time (wall time x the anchor's scale) is printed
with its orders and lines against the truth. It runs at a scaled clock, x200 by
default (`--anchor-scale`, 0 skips it), because at x1 its 100,000-order run would take
about 72 hours (one getOrderItems per order at 0.5/s, and a minute per page of 100).
The emulator announces real rates and the loop paces on the announced rate, so its
waits are right at any scale. Its local work is not scaled: the wall time of each call
(the library, HTTP to the emulator, the emulator's own work) is real time, and it is
multiplied by the scale like the waits. Between getOrderItems calls the loop subtracts
a call's time from the wait that follows, so it counts only where it exceeds the
announced interval (10 ms at x200); the library's wait between pages (one announced
interval) comes after the page's work. Where local time counts, it counts 200 times
over: the anchor's time is, if anything, overstated by (local wall time x scale),
never understated. One setting of the library follows the clock: its access-token
cache (`SP_API_AUTH_CACHE_TTL`, real seconds, 3,200 by default, 400 s short of a token's
3,600 s on Amazon) is set to 3,200 / scale, as the emulator's token lives 3,600 / scale
real seconds; left at 3,200 it would send expired tokens.

Usage: .venv/bin/python bench/b1_backfill.py [--sizes 2000,5000,20000,100000]
    [--time-scale 1] [--anchor-scale 200]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time
from datetime import datetime
from typing import Any

from _b1_anchor import ANCHOR_SCALE, US, run_anchor
from _b1_bounds import (
    REPORT_PROCESSING_S,
    bound,
    check_seller_bound,
    combined,
    costs,
    delta_first,
    purchase_times,
    seller_bound,
)
from _sync_harness import Harness, onboard, write_results

WINDOWS = 25  # 730 days in windows of at most 30 days
SIZES = "2000,5000,20000,100000"
TARGET_RATIO = 1.1
TARGET_5000_S = 180.0


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--sizes", default=SIZES, help="orders per run, comma-separated"
    )
    # Amazon's own pace by default: at a faster clock the product's local work (mapping
    # and writing orders, not scaled) counts that many times over, and the first plan
    # mixes announced rates with Amazon's published ones for operations not called yet.
    parser.add_argument("--time-scale", type=float, default=1.0)
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument(
        "--anchor-scale",
        type=float,
        default=ANCHOR_SCALE,
        help="the anchor's emulator clock (0: no anchor)",
    )
    # Only the anchor, on a fresh seller per size (no product run, nothing written).
    parser.add_argument("--anchor-only", action="store_true", help=argparse.SUPPRESS)
    # Only the check of `seller_bound` on synthetic sellers (printed, nothing run).
    parser.add_argument("--check-bound", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    if args.check_bound:
        for orders in sizes:
            even_s, seller_even, seller_grown = check_seller_bound(orders)
            print(
                f"{orders:,} orders over 730 days: even-spread combined bound "
                f"{even_s:,.1f} s; seller bound, evenly spread {seller_even:,.1f} s; "
                f"seller bound, growing toward now (u^0.8) {seller_grown:,.1f} s"
            )
        return
    check_seller_bound()
    if args.anchor_only:
        if args.anchor_scale <= 0:
            raise SystemExit("B1: --anchor-only needs --anchor-scale > 0")
        print(f"B1 anchor only: a fresh seller per size, clock x{args.anchor_scale:g}")
        for orders in sizes:
            print(f"  {orders:,} orders:", flush=True)
            run_anchor(orders, None, args.anchor_scale, None)
        return
    results = []
    for orders in sizes:
        r = await run_size(orders, args.time_scale, args.timeout)
        r["anchor"] = None
        if args.anchor_scale > 0:
            anchor = run_anchor(orders, r["seller"], args.anchor_scale, r["amazon"])
            r["lines"] += anchor["lines"]
            r["anchor"] = anchor["amazon"]
        results.append(r)
    lines = [
        f"B1 backfill: one marketplace, 24 months, emulator clock x{args.time_scale:g}"
    ]
    failed = False
    for r in results:
        lines += r["lines"]
        failed = failed or not r["equal"]

    def summary(r: dict[str, Any]) -> str:
        text = (
            f"{r['orders']:,}: {r['amazon']:,.0f} s / {r['bound']:,.0f} s"
            f" = {r['amazon'] / r['bound']:.2f}x"
        )
        if r["anchor"] is not None:
            text += f"; anchor {r['anchor']:,.0f} s"
        return text

    lines.append(
        "  summary (orders: Amazon time / bound for the seller's orders = ratio;"
        " the anchor's Amazon time):  " + ";  ".join(summary(r) for r in results)
    )
    print("\n".join(lines))
    when = datetime.now().strftime("%Y-%m-%d %H:%M")
    write_results(
        "b1", f"## B1 backfill ({when})\n\n```\n" + "\n".join(lines) + "\n```"
    )
    if failed:
        raise SystemExit("B1: Postgres does not equal the emulator's truth")


async def run_size(orders_n: int, time_scale: float, timeout: float) -> dict[str, Any]:
    from app.spapi.usage_plans import plan_for

    create, document = (
        plan_for("reports.createReport"),
        plan_for("reports.getReportDocument"),
    )
    get_orders, get_items = (
        plan_for("ordersV0.getOrders"),
        plan_for("ordersV0.getOrderItems"),
    )
    ours_bound = max(
        bound(WINDOWS, create.rate, create.burst),
        bound(WINDOWS, document.rate, document.burst),
    )
    ours_bound += REPORT_PROCESSING_S
    pages = math.ceil(orders_n / 100)
    naive_bound = bound(pages, get_orders.rate, get_orders.burst) + bound(
        orders_n, get_items.rate, get_items.burst
    )

    harness = Harness(time_scale=time_scale).start()
    try:
        seller = harness.create_seller(orders_n, [US], seed=101)
        refresh = harness.refresh_token(seller)
        from app.db.session import create_sessionmaker
        from app.orders.models import Order, OrderItem
        from app.settings import get_settings
        from app.sync.models import Job, SyncState
        from sqlalchemy import func, select
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(get_settings().db.sqlalchemy_url)
        sessionmaker = create_sessionmaker(engine)
        harness.start_product()
        await asyncio.sleep(2.0)
        await onboard(sessionmaker, [(seller, refresh, [US])])
        deadline = time.monotonic() + timeout
        while True:
            async with sessionmaker() as session:
                state = (await session.execute(select(SyncState))).scalars().first()
            if state is not None and state.backfill_completed_at is not None:
                break
            if time.monotonic() > deadline:
                raise SystemExit("B1: the backfill did not complete in time")
            await asyncio.sleep(0.5)
        assert state.backfill_started_at is not None
        completed = state.backfill_completed_at
        wall = (completed - state.backfill_started_at).total_seconds()
        amazon = wall * time_scale
        # Orders of the last two minutes before onboarding are left to a delta
        # (lastUpdatedBefore is always now - 2 min): run one after the backfill, then
        # compare with the truth.
        from app.db.session import unit_of_work
        from app.sync.service import request_delta

        async with unit_of_work(sessionmaker) as session:
            await request_delta(session, state.tenant_id, state.connection_id)
        while True:
            async with sessionmaker() as session:
                delta_done = (
                    await session.execute(
                        select(func.count())
                        .select_from(Job)
                        .where(
                            Job.kind == "delta",
                            Job.status == "done",
                            Job.started_at > completed,
                        )
                    )
                ).scalar_one()
            if delta_done:
                break
            if time.monotonic() > deadline:
                raise SystemExit("B1: no delta ran after the backfill")
            await asyncio.sleep(0.5)
        # The truth of the backfill's own range: Amazon (and the emulator) show two
        # years of history as of a moment, and the range is the 730 days before
        # onboarding (minus the 2-minute rule). Asked as of its end, the emulator counts
        # exactly [from, to]; a truth taken earlier also counted orders that were older
        # than two years at onboarding.
        start, end = state.backfill_from, state.backfill_to
        assert start is not None and end is not None
        truth = harness.summary(seller, as_of=end.isoformat())
        # Where the seller's orders really are in the range, for its own bound.
        times = purchase_times(harness.emulator_url, seller, start, end)
        in_range = (Order.purchase_date >= start) & (Order.purchase_date <= end)
        async with sessionmaker() as session:
            orders = (
                await session.execute(
                    select(func.count()).select_from(Order).where(in_range)
                )
            ).scalar_one()
            items = (
                await session.execute(
                    select(func.count())
                    .select_from(OrderItem)
                    .join(Order, Order.id == OrderItem.order_id)
                    .where(in_range)
                )
            ).scalar_one()
            later = (
                await session.execute(
                    select(func.count())
                    .select_from(Order)
                    .where(Order.purchase_date > end)
                )
            ).scalar_one()
            jobs = list(
                (
                    await session.execute(select(Job).where(Job.kind == "backfill"))
                ).scalars()
            )
        await engine.dispose()
    finally:
        harness.stop()

    paths = sorted({(j.result or {}).get("path", "?") for j in jobs})
    even_s = combined(orders_n)
    documents, pages_costs = costs()
    seller_s = seller_bound(
        times, start.timestamp(), end.timestamp(), documents, pages_costs
    )
    # The same bound over the two paths the product plans with (in Orders API
    # 2026-01-01 mode it does not also read by getOrders + getOrderItems).
    planned_s = seller_bound(
        times, start.timestamp(), end.timestamp(), documents, pages_costs[:1]
    )
    # The same bound for a client whose delta goes first (as the product's does): searchOrders'
    # bucket a token short when the backfill starts.
    delta_first_s = seller_bound(
        times, start.timestamp(), end.timestamp(), documents, delta_first(pages_costs)
    )
    ratio = amazon / seller_s
    checks = [
        (
            f"ratio {'OK' if ratio <= TARGET_RATIO else 'MISSED'}"
            f" (target <= {TARGET_RATIO}x this bound)"
        )
    ]
    if orders_n == 5000:
        ok = amazon < TARGET_5000_S
        checks.append(
            f"{'OK' if ok else 'MISSED'}"
            f" (target < {TARGET_5000_S:.0f} s at 5,000 orders)"
        )
    lines = [
        f"  {orders_n:,} orders:",
        (
            "    stored after the backfill and one delta, purchased in the backfill "
            f"range {start:%Y-%m-%d %H:%M:%S} .. {end:%Y-%m-%d %H:%M:%S}: "
            f"{orders:,} orders, {items:,} item lines (emulator truth as of the "
            f"range's end: {truth['total_orders']:,} orders, "
            f"{truth['total_items']:,} lines); "
            f"{len(jobs)} backfill job rows via {', '.join(paths)}; "
            f"{later:,} orders purchased after the range came with the delta"
        ),
        (
            f"    Amazon time to complete: {amazon:,.0f} s ({amazon / 60:.1f} min; "
            f"wall {wall:.1f} s)"
        ),
        (
            "    bound for this seller's orders (where its orders really are, not "
            f"spread evenly; {len(times):,} in the range): {seller_s:,.0f} s -> ratio "
            f"{ratio:.2f}x; " + "; ".join(checks)
        ),
        (
            "    the same bound over order reports and searchOrders only (the paths "
            "the product plans with, no getOrders + getOrderItems): "
            f"{planned_s:,.0f} s -> "
            f"ratio {amazon / planned_s:.2f}x"
        ),
        (
            "    the bound for this seller's orders with the onboarding's delta first "
            "(searchOrders' bucket one token short when the backfill starts): "
            f"{delta_first_s:,.0f} s -> ratio {amazon / delta_first_s:.2f}x"
        ),
        (
            "    combined bound, every quota at once, orders spread evenly: "
            f"{even_s:,.0f} s -> ratio {amazon / even_s:.2f}x"
        ),
        f"    reports-only bound (the unplanned path): {ours_bound:,.0f} s",
        (
            f"    naive per-order bound: {naive_bound:,.0f} s "
            f"({naive_bound / 3600:.1f} h) -> {naive_bound / amazon:,.0f}x our time"
        ),
    ]
    print("\n".join(lines), flush=True)
    equal = orders == truth["total_orders"] and items == truth["total_items"]
    return {
        "orders": orders_n,
        "amazon": amazon,
        "bound": seller_s,
        "even_bound": even_s,
        "lines": lines,
        "equal": equal,
        "seller": seller,
    }


if __name__ == "__main__":
    asyncio.run(main())
