"""B1: 24-month backfill of a seller with 100,000 orders in one marketplace, by the product itself.

The emulator runs with its clock scaled (`--time-scale`, rates x S, durations / S, and announced so);
the product's worker and scheduler run as processes and pace themselves on what it announces. The
seller is onboarded as the OAuth callback leaves it and nothing else is done until the backfill
completes.
Then one delta is asked for (orders of the last two minutes before onboarding are the delta's, as
lastUpdatedBefore is always now - 2 min), and the orders and lines purchased in the backfill's
range (the 730 days before onboarding, less 2 minutes) are compared with the emulator's truth as
of the range's end, which counts exactly that range.

Printed: the Amazon time to complete (wall time x S), the lower bound the usage plans allow for
our path (flat-file order reports by 30-day windows: createReport and getReportDocument, 0.0167/s
burst 15, plus one report's processing time) and for the naive per-order path (getOrders pages at
0.0167/s burst 20, then one getOrderItems per order at 0.5/s burst 30). Targets: within 1.25x of
our bound, at least 100x faster than the naive bound.

Usage: .venv/bin/python bench/b1_backfill.py [--orders 100000] [--time-scale 10]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time
from datetime import datetime

from _sync_harness import Harness, onboard, write_results

US = "ATVPDKIKX0DER"
WINDOWS = 25  # 730 days in windows of at most 30 days
REPORT_PROCESSING_S = 60.0  # the emulator's (Amazon) processing time of one report


def bound(calls: int, rate: float, burst: int) -> float:
    """Seconds a token bucket needs to serve `calls` calls starting full."""
    return max(0, calls - burst) / rate


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--time-scale", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args()

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
    pages = math.ceil(args.orders / 100)
    naive_bound = bound(pages, get_orders.rate, get_orders.burst) + bound(
        args.orders, get_items.rate, get_items.burst
    )

    harness = Harness(time_scale=args.time_scale).start()
    try:
        seller = harness.create_seller(args.orders, [US], seed=101)
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
        deadline = time.monotonic() + args.timeout
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
        amazon = wall * args.time_scale
        # Orders of the last two minutes before onboarding are left to a delta (lastUpdatedBefore
        # is always now - 2 min): run one after the backfill, then compare with the truth.
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
        # The truth of the backfill's own range: Amazon (and the emulator) show two years of
        # history as of a moment, and the range is the 730 days before onboarding (minus the
        # 2-minute rule). Asked as of its end, the emulator counts exactly [from, to]; a truth
        # taken earlier also counted orders that were older than two years at onboarding.
        start, end = state.backfill_from, state.backfill_to
        assert start is not None and end is not None
        truth = harness.summary(seller, as_of=end.isoformat())
        in_range = (Order.purchase_date >= start) & (Order.purchase_date <= end)
        async with sessionmaker() as session:
            orders = (
                await session.execute(select(func.count()).select_from(Order).where(in_range))
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
                    select(func.count()).select_from(Order).where(Order.purchase_date > end)
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
    lines = [
        f"B1 backfill: {args.orders:,} orders over 24 months, one marketplace, emulator clock x{args.time_scale:g}",
        (
            f"  stored after the backfill and one delta, purchased in the backfill range {start:%Y-%m-%d %H:%M:%S} .. {end:%Y-%m-%d %H:%M:%S}: "
            f"{orders:,} orders, {items:,} item lines (emulator truth as of the range's end: {truth['total_orders']:,} orders, "
            f"{truth['total_items']:,} lines); {len(jobs)} backfill windows via {', '.join(paths)}; "
            f"{later:,} orders purchased after the range came with the delta"
        ),
        f"  Amazon time to complete: {amazon:,.0f} s ({amazon / 60:.1f} min; wall {wall:.1f} s)",
        f"  lower bound, our path (reports): {ours_bound:,.0f} s -> ratio {amazon / ours_bound:.2f}x (target <= 1.25x)",
        (
            f"  lower bound, naive per-order path: {naive_bound:,.0f} s ({naive_bound / 3600:.1f} h) -> "
            f"{naive_bound / amazon:,.0f}x faster (target >= 100x)"
        ),
    ]
    print("\n".join(lines))
    when = datetime.now().strftime("%Y-%m-%d %H:%M")
    write_results(
        "b1", f"## B1 backfill ({when})\n\n```\n" + "\n".join(lines) + "\n```"
    )
    if orders != truth["total_orders"] or items != truth["total_items"]:
        raise SystemExit("B1: Postgres does not equal the emulator's truth")


if __name__ == "__main__":
    asyncio.run(main())
