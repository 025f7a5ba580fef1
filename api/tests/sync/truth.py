"""Every order and every item line in PostgreSQL compared with the emulator's truth, field by field.

The truth is `GET /_emulator/sellers/{id}/orders/truth` (NDJSON, every order as Amazon's APIs show it at
one instant; fields in `amazon_emulator.apis._orders_truth`). Each connection of the seller must hold
exactly those orders (orders purchased before the truth's 730-day horizon are left out: Amazon no longer
lists them and the product keeps them), and per order:

* status (v0's spelling mapped to ours), marketplace, fulfillment channel, purchase and last-update dates;
* currency and order total: NULL until payment cleared (Amazon shows no money before); then Amazon's
  total, except for a cancelled order written last by an order report, whose total is NULL: the report's
  total leaves cancelled lines out (`app.orders.report_mapping`);
* exactly the truth's lines, matched on the natural key the product documents (`app.orders.models.
  item_line_key`: "sku:<SKU>", "#n" for the n-th repeat in Amazon's order), each with its SKU, ASIN,
  quantity, line price (unit price x quantity), tax and currency (money NULL until payment cleared; a NULL
  tax on a priced line reads as 0, as the Orders API 2026-01-01 lists no TAX breakdown when there is none),
  and, once the Orders API wrote the order, Amazon's OrderItemId;
* the kept day and month totals equal the orders they sum.

`assert_every_row_equal` fails listing the first differences and counting every disagreeing order.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.connections.models import Connection
from app.db.session import create_sessionmaker
from app.orders.models import Order, OrderItem
from app.spapi.operations.orders_vocabulary import STATUS_FROM_V0
from app.spapi.primitives import parse_time
from tests.orders.support import kept_totals_and_grouped_orders


@dataclass
class Truth:
    """The emulator's orders of one seller at one instant, by Amazon order id."""

    seller_id: str
    as_of: datetime
    history_from: datetime
    orders: dict[str, dict[str, Any]]


@dataclass
class Comparison:
    """One connection against the truth: what was compared and every disagreement found."""

    seller_id: str
    connection_id: uuid.UUID
    as_of: datetime
    orders: int = 0
    lines: int = 0
    missing: list[str] = field(default_factory=list)  # at Amazon, not in PostgreSQL
    extra: list[str] = field(default_factory=list)  # in PostgreSQL, not at Amazon
    differing: Counter[str] = field(default_factory=Counter)  # order id -> fields that differ
    differences: list[str] = field(default_factory=list)

    @property
    def bad_orders(self) -> int:
        return len(self.missing) + len(self.extra) + len(self.differing)

    def differ(self, order_id: str, what: str, ours: Any, truth: Any) -> None:
        self.differing[order_id] += 1
        self.differences.append(f"{order_id} {what}: ours={ours!r} truth={truth!r}")


async def fetch_truth(amazon: httpx.AsyncClient, seller_id: str) -> Truth:
    orders: dict[str, dict[str, Any]] = {}
    async with amazon.stream("GET", f"/_emulator/sellers/{seller_id}/orders/truth") as response:
        if response.status_code != 200:
            raise AssertionError(f"the emulator's truth of {seller_id}: HTTP {response.status_code}")
        async for line in response.aiter_lines():
            if line:
                order = json.loads(line)
                orders[order["amazon_order_id"]] = order
    return Truth(
        seller_id,
        parse_time(response.headers["X-Emulator-As-Of"]),
        parse_time(response.headers["X-Emulator-History-From"]),
        orders,
    )


def _money(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _expected_total(want: dict[str, Any], status: str, source: str) -> Decimal | None:
    if not want["priced"] or (status == "CANCELLED" and source == "report"):
        return None
    return _money(want["order_total"])


def _truth_line_keys(items: list[dict[str, Any]]) -> list[str]:
    """The documented natural key of each truth line, computed here rather than by the product's code."""
    seen: Counter[str] = Counter()
    keys = []
    for item in items:
        seen[item["sku"]] += 1
        n = seen[item["sku"]]
        keys.append(f"sku:{item['sku']}" if n == 1 else f"sku:{item['sku']}#{n}")
    return keys


def _compare_order(result: Comparison, row: Order, lines: list[OrderItem], want: dict[str, Any]) -> None:
    oid = row.amazon_order_id
    status = STATUS_FROM_V0.get(want["status"], want["status"])
    priced = bool(want["priced"])
    currency = want["currency"] if priced else None
    checks: list[tuple[str, Any, Any]] = [
        ("status", row.order_status, status),
        ("marketplace_id", row.marketplace_id, want["marketplace_id"]),
        ("fulfillment_channel", row.fulfillment_channel, want["fulfillment_channel"]),
        ("purchase_date", row.purchase_date, parse_time(want["purchase_date"])),
        ("last_update_date", row.last_update_date, parse_time(want["last_update_date"])),
        ("currency", row.currency, currency),
        ("order_total", row.order_total, _expected_total(want, status, row.source)),
    ]
    for what, ours, truth in checks:
        if ours != truth:
            result.differ(oid, what, ours, truth)
    by_key = {line.line_key: line for line in lines}
    keys = _truth_line_keys(want["items"])
    for key in sorted(set(by_key) - set(keys)):
        result.differ(oid, f"line {key}", "present", "absent")
    for key, item in zip(keys, want["items"], strict=True):
        result.lines += 1
        line = by_key.get(key)
        if line is None:
            result.differ(oid, f"line {key}", "absent", "present")
            continue
        tax = line.item_tax if line.item_tax is not None or not priced else Decimal(0)
        line_checks: list[tuple[str, Any, Any]] = [
            ("seller_sku", line.seller_sku, item["sku"]),
            ("asin", line.asin, item["asin"]),
            ("quantity_ordered", line.quantity_ordered, item["quantity"]),
            ("item_price", line.item_price, _money(item["item_price"])),
            ("item_tax", tax, _money(item["item_tax"])),
            ("currency", line.currency, currency),
        ]
        # Order reports carry no OrderItemId: it is known once the Orders API wrote the order (and kept).
        if row.source == "api" or line.order_item_id is not None:
            line_checks.append(("order_item_id", line.order_item_id, item["order_item_id"]))
        for what, ours, truth in line_checks:
            if ours != truth:
                result.differ(oid, f"line {key} {what}", ours, truth)


async def compare_connection(
    engine: AsyncEngine, truth: Truth, connection_id: uuid.UUID, order_ids: Collection[str] | None = None
) -> Comparison:
    """Every order and line of one connection against `truth` (see the module docstring); with
    `order_ids`, the connection must hold exactly those of the truth's orders."""
    if order_ids is not None:
        unknown = set(order_ids) - set(truth.orders)
        assert not unknown, f"orders the emulator does not list: {sorted(unknown)[:10]}"
        truth = Truth(
            truth.seller_id, truth.as_of, truth.history_from, {k: truth.orders[k] for k in order_ids}
        )
    result = Comparison(truth.seller_id, connection_id, truth.as_of)
    async with create_sessionmaker(engine)() as session:
        # One snapshot for the orders, their lines and the kept totals while a worker may be writing.
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        rows = list(
            (await session.execute(select(Order).where(Order.connection_id == connection_id))).scalars()
        )
        lines: dict[int, list[OrderItem]] = {}
        items = await session.execute(select(OrderItem).where(OrderItem.connection_id == connection_id))
        for line in items.scalars():
            lines.setdefault(line.order_id, []).append(line)
        kept, grouped = await kept_totals_and_grouped_orders(session, connection_id)
    ours = {row.amazon_order_id: row for row in rows if row.purchase_date >= truth.history_from}
    result.missing = sorted(set(truth.orders) - set(ours))
    result.extra = sorted(set(ours) - set(truth.orders))
    result.differences += [f"{oid} missing from PostgreSQL" for oid in result.missing]
    result.differences += [f"{oid} in PostgreSQL, not at Amazon" for oid in result.extra]
    for oid, want in truth.orders.items():
        row = ours.get(oid)
        if row is not None:
            result.orders += 1
            _compare_order(result, row, lines.get(row.id, []), want)
    if kept != grouped:
        result.differences.append(
            f"order_day_totals/order_month_totals differ from the orders they sum: "
            f"{len(set(kept) ^ set(grouped))} rows (kept, grouped) not in both"
        )
    return result


async def _connections_of(engine: AsyncEngine, seller_id: str) -> list[uuid.UUID]:
    async with create_sessionmaker(engine)() as session:
        found = await session.execute(
            select(Connection.id)
            .where(Connection.provider == "amazon_sp", Connection.account_id == seller_id)
            .order_by(Connection.created_at)
        )
        return list(found.scalars())


def _failure(results: list[Comparison], show: int, note: str, waited: float | None) -> str:
    bad = [r for r in results if r.differences]
    lines = [
        f"PostgreSQL differs from the emulator's truth{f' ({note})' if note else ''}"
        + (f" after comparing for {waited:.0f} s" if waited is not None else "")
        + ":"
    ]
    for r in bad:
        lines.append(
            f"seller {r.seller_id}, connection {r.connection_id}, truth as of {r.as_of:%Y-%m-%dT%H:%M:%SZ}: "
            f"{r.bad_orders} of {r.orders + len(r.missing)} orders disagree ({len(r.missing)} missing, "
            f"{len(r.extra)} not at Amazon, {len(r.differing)} with different fields; "
            f"{r.lines} lines compared)"
        )
    shown = [d for r in bad for d in r.differences][:show]
    total = sum(len(r.differences) for r in bad)
    lines.append(f"first {len(shown)} of {total} differences:")
    lines += [f"  {d}" for d in shown]
    return "\n".join(lines)


async def assert_every_row_equal(
    engine: AsyncEngine,
    amazon: httpx.AsyncClient,
    seller_ids: list[str] | tuple[str, ...],
    *,
    connection_ids: list[uuid.UUID] | None = None,
    order_ids: Collection[str] | None = None,
    within: float = 0.0,
    show: int = 20,
    note: str = "",
) -> list[Comparison]:
    """Every order and item line of every connection of each seller (or of `connection_ids` only) equals the
    emulator's truth; fails listing the first `show` differences, with `note` (e.g. a chaos seed) in the
    message. `order_ids`: where only these orders can have reached PostgreSQL (no backfill ran), it must
    hold exactly them. `within`: seconds to keep comparing until equal (Amazon hides its last two minutes
    from every query, so a change by time passing reaches PostgreSQL after that long); 0 compares once."""
    deadline = time.monotonic() + within
    started = time.monotonic()
    while True:
        results: list[Comparison] = []
        for seller_id in seller_ids:
            connections = await _connections_of(engine, seller_id)
            if connection_ids is not None:
                connections = [c for c in connections if c in connection_ids]
            if not connections:
                raise AssertionError(f"no SP-API connection of seller {seller_id} to compare ({note})")
            truth = await fetch_truth(amazon, seller_id)
            if not truth.orders:
                raise AssertionError(f"the emulator lists no order of seller {seller_id}: nothing proven")
            for connection_id in connections:
                results.append(await compare_connection(engine, truth, connection_id, order_ids))
        if not any(r.differences for r in results):
            return results
        if time.monotonic() >= deadline:
            waited = time.monotonic() - started if within else None
            raise AssertionError(_failure(results, show, note, waited))
        await asyncio.sleep(1.0)
