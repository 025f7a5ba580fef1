"""Bulk upserts: idempotent, newest version wins, report lines and API items meet on line_key."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.orders.orders_api_mapping import item_rows_from_v0, order_row_from_v0, order_rows_from_2026
from app.orders.report_mapping import rows_from_flat_file_report
from app.orders.repository import OrderRepository, UpsertCounts, Written
from app.orders.rows import MappedOrders
from tests.factories.connections import Seller, make_seller
from tests.factories.orders import PII_VALUES, REPORT_HEADER, items_v0, order_2026, order_v0, report_line

OID = "113-0000001-0000001"


async def fetch(session: AsyncSession, sql: str, **params: Any) -> list[dict[str, Any]]:
    result = await session.execute(text(sql), params)
    return [dict(r._mapping) for r in result]


async def test_insert_then_rerun_changes_nothing(session: AsyncSession, seller: Seller) -> None:
    repo = OrderRepository(session)
    mapped = order_rows_from_2026(
        [order_2026(), order_2026("113-0000009-0000009")], seller.tenant_id, seller.connection_id
    )
    assert await repo.upsert(mapped) == Written(UpsertCounts(inserted=2), UpsertCounts(inserted=2))
    before = await fetch(session, "SELECT id, updated_at, xmin::text AS xmin FROM orders ORDER BY id")
    items_before = await fetch(
        session, "SELECT id, updated_at, xmin::text AS xmin FROM order_items ORDER BY id"
    )

    again = order_rows_from_2026(
        [order_2026(), order_2026("113-0000009-0000009")], seller.tenant_id, seller.connection_id
    )
    assert await repo.upsert(again) == Written(UpsertCounts(unchanged=2), UpsertCounts(unchanged=2))
    assert await fetch(session, "SELECT id, updated_at, xmin::text AS xmin FROM orders ORDER BY id") == before
    assert (
        await fetch(session, "SELECT id, updated_at, xmin::text AS xmin FROM order_items ORDER BY id")
        == items_before
    )


async def test_newer_update_wins_and_older_is_ignored(session: AsyncSession, seller: Seller) -> None:
    repo = OrderRepository(session)
    pending = order_rows_from_2026(
        [order_2026(updated="2026-03-01T09:00:00Z", status="PENDING", price=None)],
        seller.tenant_id,
        seller.connection_id,
    )
    shipped = order_rows_from_2026(
        [order_2026(updated="2026-03-02T10:00:00Z")], seller.tenant_id, seller.connection_id
    )
    await repo.upsert(pending)

    assert await repo.upsert(shipped) == Written(UpsertCounts(updated=1), UpsertCounts(updated=1))
    # The older version arrives late (an overlapping window): ignored, orders and items alike.
    assert await repo.upsert(pending) == Written(UpsertCounts(unchanged=1), UpsertCounts(unchanged=1))

    (row,) = await fetch(session, "SELECT order_status, order_total FROM orders")
    assert row["order_status"] == "SHIPPED" and str(row["order_total"]) == "45.97"
    (item,) = await fetch(session, "SELECT item_price FROM order_items")
    assert str(item["item_price"]) == "39.98"


async def test_report_lines_then_api_items_meet_without_duplicates(
    session: AsyncSession, seller: Seller
) -> None:
    repo = OrderRepository(session)
    report = rows_from_flat_file_report(
        [
            REPORT_HEADER,
            report_line(OID, updated="2026-03-02T10:00:00+00:00"),
            report_line(OID, sku="SKU-BLUE", asin="B0BLUE"),
        ],
        seller.tenant_id,
        seller.connection_id,
    )
    assert await repo.upsert(report) == Written(UpsertCounts(inserted=1), UpsertCounts(inserted=2))

    # Same version through the API: the API wins the tie, the SKU-RED line is updated in place.
    api = order_rows_from_2026(
        [order_2026(OID, updated="2026-03-02T10:00:00Z")], seller.tenant_id, seller.connection_id
    )
    assert await repo.upsert(api) == Written(UpsertCounts(updated=1), UpsertCounts(updated=1))
    items = await fetch(session, "SELECT line_key, order_item_id FROM order_items ORDER BY line_key")
    assert items == [
        {"line_key": "sku:SKU-BLUE", "order_item_id": None},
        {"line_key": "sku:SKU-RED", "order_item_id": "11111111111111"},
    ]
    (order,) = await fetch(session, "SELECT source, order_total, ship_city FROM orders")
    assert (
        order["source"] == "api" and str(order["order_total"]) == "45.97" and order["ship_city"] == "Seattle"
    )

    # The same report again (a re-run backfill window) cannot overwrite the API's version.
    assert await repo.upsert(report) == Written(UpsertCounts(unchanged=1), UpsertCounts(unchanged=2))
    assert (await fetch(session, "SELECT source FROM orders"))[0]["source"] == "api"
    assert len(await fetch(session, "SELECT id FROM order_items")) == 2


async def test_v0_order_then_items(session: AsyncSession, seller: Seller) -> None:
    repo = OrderRepository(session)
    order = order_row_from_v0(order_v0(), seller.tenant_id, seller.connection_id)
    mapped = MappedOrders(orders=[order], items=item_rows_from_v0(items_v0(), order))
    assert await repo.upsert(mapped) == Written(UpsertCounts(inserted=1), UpsertCounts(inserted=1))
    dumped = str(
        await fetch(
            session,
            "SELECT o.raw::text AS o, i.raw::text AS i FROM orders o JOIN order_items i ON i.order_id = o.id",
        )
    )
    for value in PII_VALUES:
        assert value not in dumped


async def test_duplicates_in_one_batch_and_tenants_apart(session: AsyncSession, seller: Seller) -> None:

    other = await make_seller(session, "Other")
    repo = OrderRepository(session)
    older = order_rows_from_2026(
        [order_2026(updated="2026-03-01T09:00:00Z")], seller.tenant_id, seller.connection_id
    )
    newer = order_rows_from_2026(
        [order_2026(updated="2026-03-02T09:00:00Z")], seller.tenant_id, seller.connection_id
    )
    theirs = order_rows_from_2026([order_2026()], other.tenant_id, other.connection_id)
    written = await repo.upsert(
        MappedOrders(
            orders=[*newer.orders, *older.orders, *theirs.orders],
            items=[*older.items, *newer.items, *theirs.items],
        )
    )
    assert written.orders.inserted == 2
    rows = await fetch(session, "SELECT tenant_id, last_update_date FROM orders ORDER BY tenant_id")
    assert len(rows) == 2 and len(await fetch(session, "SELECT id FROM order_items")) == 2


async def test_lines_go_with_their_order_connection_and_tenant(session: AsyncSession, seller: Seller) -> None:
    other = await make_seller(session, "Other")
    repo = OrderRepository(session)
    for owner, order_id in ((seller, OID), (other, OID)):
        mapped = order_rows_from_2026([order_2026(order_id)], owner.tenant_id, owner.connection_id)
        assert (await repo.upsert(mapped)).items == UpsertCounts(inserted=1)

    async def lines_of(tenant_id: Any) -> int:
        found = await fetch(
            session, "SELECT count(*) AS n FROM order_items WHERE tenant_id = :t", t=tenant_id
        )
        return int(found[0]["n"])

    # A line cannot name another tenant's order: the one foreign key is (tenant_id, order_id).
    theirs = (await fetch(session, "SELECT id FROM orders WHERE tenant_id = :t", t=other.tenant_id))[0]["id"]
    with pytest.raises(IntegrityError, match="fk_order_items_tenant_id_orders"):
        async with session.begin_nested():
            await session.execute(
                text(
                    "INSERT INTO order_items (tenant_id, order_id, connection_id, amazon_order_id, line_key) "
                    "VALUES (:t, :o, :c, :a, 'sku:stolen')"
                ),
                {"t": seller.tenant_id, "o": theirs, "c": seller.connection_id, "a": OID},
            )
    # Deleting a connection deletes its orders and, through them, their lines; a tenant likewise.
    await session.execute(text("DELETE FROM connections WHERE id = :c"), {"c": seller.connection_id})
    assert await lines_of(seller.tenant_id) == 0 and await lines_of(other.tenant_id) == 1
    await session.execute(text("DELETE FROM tenants WHERE id = :t"), {"t": other.tenant_id})
    assert await lines_of(other.tenant_id) == 0
