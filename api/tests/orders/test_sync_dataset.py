"""The orders dataset's document path: a report read as a stream in batches of whole orders, an order
whose lines are scattered read again whole, and the same rows as mapping the report at once."""

from __future__ import annotations

import csv
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from app.orders import sync as orders_sync
from app.orders.report_mapping import rows_from_flat_file_report
from app.orders.rows import MappedOrders
from app.sync.dataset import Scope
from tests.factories.orders import REPORT_HEADER, report_line

SCOPE = Scope(uuid.uuid4(), uuid.uuid4(), "ATVPDKIKX0DER")


def _rows(lines: list[str]) -> list[dict[str, str]]:
    return list(csv.DictReader([REPORT_HEADER, *lines], delimiter="\t", quoting=csv.QUOTE_NONE))


class Document:
    """A report's parsed rows, opened as many times as the dataset asks."""

    def __init__(self, lines: list[str]) -> None:
        self.rows = _rows(lines)
        self.opened = 0

    async def open(self) -> AsyncIterator[dict[str, Any]]:
        self.opened += 1
        for row in self.rows:
            yield row


async def _batches(document: Document) -> list[MappedOrders]:
    return [batch async for batch in orders_sync.ORDERS.document_batches(SCOPE, document.open)]


def _key(mapped: MappedOrders) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    orders = sorted((o["amazon_order_id"], o["order_total"], o["order_status"]) for o in mapped.orders)
    items = sorted((i["amazon_order_id"], i["line_key"], i["item_price"]) for i in mapped.items)
    return orders, items


def _merged(batches: list[MappedOrders]) -> MappedOrders:
    """What the upserts leave: per order, the last batch that wrote it wins."""
    orders: dict[str, dict[str, Any]] = {}
    items: dict[tuple[str, str], dict[str, Any]] = {}
    for batch in batches:
        for order in batch.orders:
            orders[order["amazon_order_id"]] = order
        for item in batch.items:
            items[(item["amazon_order_id"], item["line_key"])] = item
    return MappedOrders(list(orders.values()), list(items.values()))


async def test_a_report_streams_in_batches_of_whole_orders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(orders_sync, "BATCH_LINES", 3)
    lines = []
    for n in range(7):
        order_id = f"113-0000000-000000{n}"
        lines += [report_line(order_id, sku="SKU-RED"), report_line(order_id, sku="SKU-BLUE", price="5.00")]
    document = Document(lines)
    batches = await _batches(document)
    assert document.opened == 1
    # Cut at an order's edge once at least 3 lines are waiting: 2 orders (4 lines) per batch.
    assert [len(b.items) for b in batches] == [4, 4, 4, 2]
    ids = [o["amazon_order_id"] for b in batches for o in b.orders]
    assert len(ids) == len(set(ids)) == 7
    whole = rows_from_flat_file_report(
        document.rows, SCOPE.tenant_id, SCOPE.connection_id, marketplace_id=SCOPE.marketplace_id
    )
    assert _key(_merged(batches)) == _key(whole)


async def test_an_order_with_scattered_lines_is_read_again_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(orders_sync, "BATCH_LINES", 1)
    scattered, other = "113-0000000-0000001", "113-0000000-0000002"
    lines = [
        report_line(scattered, sku="SKU-RED"),
        report_line(other, sku="SKU-RED"),
        report_line(scattered, sku="SKU-RED", price="5.00", tax="0", ship="0"),
    ]
    document = Document(lines)
    batches = await _batches(document)
    assert document.opened == 2
    last = batches[-1]
    assert [o["amazon_order_id"] for o in last.orders] == [scattered]
    # Both of its lines, numbered as one order (not two "sku:SKU-RED" lines written over each other).
    assert sorted(i["line_key"] for i in last.items) == ["sku:SKU-RED", "sku:SKU-RED#2"]
    whole = rows_from_flat_file_report(
        document.rows, SCOPE.tenant_id, SCOPE.connection_id, marketplace_id=SCOPE.marketplace_id
    )
    assert _key(_merged(batches)) == _key(whole)


async def test_an_empty_report_gives_no_batch() -> None:
    document = Document([])
    assert await _batches(document) == []
