"""Amazon payloads -> rows: every source maps to one vocabulary and no PII survives."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

import pytest

from app.orders.orders_api_mapping import (
    item_rows_from_v0,
    order_row_from_v0,
    order_rows_from_2026,
    rows_from_orders_api,
)
from app.orders.report_mapping import rows_from_flat_file_report
from app.spapi.operations.orders import AmazonOrder
from app.spapi.operations.orders_vocabulary import (
    ORDER_STATUSES,
    STATUS_FROM_REPORT,
    STATUS_FROM_V0,
    V0_STATUS,
)
from tests.factories.orders import PII_VALUES, REPORT_HEADER, items_v0, order_2026, order_v0, report_line

TENANT, CONNECTION = uuid.uuid4(), uuid.uuid4()


def assert_no_pii(rows: list[dict[str, Any]]) -> None:
    dumped = json.dumps(rows, default=str)
    for value in PII_VALUES:
        assert value not in dumped, value
    for key in ("buyer", "recipient", "ShippingAddress", "BuyerInfo", "buyer-email", "ship-address-1"):
        assert f'"{key}"' not in dumped


def test_2026_order_and_items() -> None:
    mapped = order_rows_from_2026({"orders": [order_2026()]}, TENANT, CONNECTION)
    (order,) = mapped.orders
    (item,) = mapped.items
    assert order["amazon_order_id"] == "113-0000001-0000001"
    assert order["order_status"] == "SHIPPED" and order["fulfillment_channel"] == "MFN"
    assert order["marketplace_id"] == "ATVPDKIKX0DER"
    assert order["order_total"] == Decimal("45.97") and order["currency"] == "USD"
    assert (order["ship_city"], order["ship_postal_code"], order["ship_country_code"]) == (
        "Seattle",
        "98101",
        "US",
    )
    assert order["is_prime"] is True and order["source"] == "api"
    assert item["line_key"] == "sku:SKU-RED" and item["order_item_id"] == "11111111111111"
    assert item["item_price"] == Decimal("39.98") and item["quantity_ordered"] == 2
    assert order["raw"]["orderAliases"] and "orderItems" not in order["raw"]
    assert_no_pii(mapped.orders + mapped.items)


def test_2026_get_order_body_and_pending_without_prices() -> None:
    mapped = order_rows_from_2026({"order": order_2026(status="PENDING", price=None)}, TENANT, CONNECTION)
    assert mapped.orders[0]["order_status"] == "PENDING"
    assert mapped.orders[0]["order_total"] is None
    assert mapped.items[0]["item_price"] is None
    assert_no_pii(mapped.orders + mapped.items)


def test_v0_order_and_items() -> None:
    order = order_row_from_v0(order_v0(), TENANT, CONNECTION)
    items = item_rows_from_v0(items_v0(), order)
    assert order["order_status"] == "SHIPPED" and order["fulfillment_channel"] == "MFN"
    assert order["order_total"] == Decimal("45.97") and order["ship_city"] == "Seattle"
    assert items[0]["line_key"] == "sku:SKU-RED" and items[0]["item_price"] == Decimal("39.98")
    assert items[0]["amazon_order_id"] == order["amazon_order_id"]
    assert items[0]["order_last_update_date"] == order["last_update_date"]
    assert_no_pii([order, *items])


def test_client_orders_are_mapped_by_their_version() -> None:
    """What the Orders API client returns (`AmazonOrder`) maps exactly as the payload does."""
    v0 = AmazonOrder(version="v0", amazon_order_id="113-0000002-0000002", payload=order_v0())
    new = AmazonOrder(version="2026-01-01", amazon_order_id="113-0000001-0000001", payload=order_2026())
    items = items_v0()["OrderItems"]
    mapped = rows_from_orders_api([v0, new], TENANT, CONNECTION, v0_items={v0.amazon_order_id: items})
    v0_row = order_row_from_v0(order_v0(), TENANT, CONNECTION)
    from_2026 = order_rows_from_2026([order_2026()], TENANT, CONNECTION)
    assert mapped.orders == [v0_row, *from_2026.orders]
    assert mapped.items == [*item_rows_from_v0(items, v0_row), *from_2026.items]
    with pytest.raises(ValueError, match="not fetched"):
        rows_from_orders_api([v0], TENANT, CONNECTION)


def test_every_spelling_maps_into_the_vocabulary() -> None:
    assert all(STATUS_FROM_V0[V0_STATUS[status]] == status for status in ORDER_STATUSES)
    assert set(STATUS_FROM_REPORT.values()) <= set(ORDER_STATUSES)
    for spelling, status in STATUS_FROM_V0.items():
        order = order_row_from_v0({**order_v0(), "OrderStatus": spelling}, TENANT, CONNECTION)
        assert order["order_status"] == status
    for spelling, status in STATUS_FROM_REPORT.items():
        lines = [REPORT_HEADER, report_line("113-0000009-0000009", status=spelling)]
        assert rows_from_flat_file_report(lines, TENANT, CONNECTION).orders[0]["order_status"] == status


def test_report_lines_grouped_into_orders_with_computed_total() -> None:
    lines = [
        REPORT_HEADER,
        report_line("113-0000003-0000003", sku="SKU-RED"),
        report_line(
            "113-0000003-0000003", sku="SKU-BLUE", asin="B000BLUE01", price="10.00", tax="1.00", ship="0"
        ),
        report_line("113-0000003-0000003", sku="SKU-RED", price="5.00", tax="0", ship="0"),
        report_line(
            "113-0000004-0000004", status="Pending", price="", tax="", ship="", item_status="Unshipped"
        ),
    ]
    mapped = rows_from_flat_file_report(lines, TENANT, CONNECTION)
    first, pending = mapped.orders
    assert first["marketplace_id"] == "ATVPDKIKX0DER" and first["source"] == "report"
    assert first["fulfillment_channel"] == "MFN" and first["order_status"] == "SHIPPED"
    # 39.98 + 3 + 2.99 + 10 + 1 + 5
    assert first["order_total"] == Decimal("61.97")
    assert [i["line_key"] for i in mapped.items[:3]] == ["sku:SKU-RED", "sku:SKU-BLUE", "sku:SKU-RED#2"]
    assert pending["order_status"] == "PENDING" and pending["order_total"] is None
    assert mapped.items[3]["item_price"] is None and mapped.items[3]["currency"] is None
    assert_no_pii(mapped.orders + mapped.items)


def test_report_keeps_only_the_newest_version_of_an_order() -> None:
    lines = [
        REPORT_HEADER,
        report_line("113-0000005-0000005", status="Pending", updated="2026-03-01T09:00:00+00:00"),
        report_line("113-0000005-0000005", status="Shipped", updated="2026-03-03T09:00:00+00:00"),
    ]
    mapped = rows_from_flat_file_report(lines, TENANT, CONNECTION, marketplace_id="A2EUQ1WTGCTBG2")
    (order,) = mapped.orders
    assert order["order_status"] == "SHIPPED" and order["marketplace_id"] == "A2EUQ1WTGCTBG2"
    assert len(mapped.items) == 1


def test_cancelled_lines_do_not_count_in_the_report_total() -> None:
    lines = [
        REPORT_HEADER,
        report_line("113-0000006-0000006"),
        report_line("113-0000006-0000006", sku="X", item_status="Cancelled"),
    ]
    (order,) = rows_from_flat_file_report(lines, TENANT, CONNECTION).orders
    assert order["order_total"] == Decimal("45.97")
