"""`tests.sync.truth`: a backfilled connection equals the emulator's truth row by row, and every kind of
disagreement (a field, a line, a missing or an extra order, the kept totals) fails with its order named."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.session import unit_of_work
from tests.sync import test_service
from tests.sync.test_service import Harness
from tests.sync.truth import assert_every_row_equal, fetch_truth

# The in-process sync of the service tests (a 400-order seller in two marketplaces).
emulator_config = test_service.emulator_config
harness = test_service.harness
pytestmark = pytest.mark.usefixtures("clean_state")


async def test_every_row_equal_then_each_planted_difference_reported(
    harness: tuple[Harness, str, uuid.UUID], emulator_http: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    h, seller, connection_id = harness
    await h.until_backfilled()
    [compared] = await assert_every_row_equal(engine, emulator_http, [seller])
    truth = await fetch_truth(emulator_http, seller)
    assert compared.orders == len(truth.orders) == 400
    assert compared.lines == sum(len(o["items"]) for o in truth.orders.values()) > 400

    priced = [o for o in truth.orders.values() if o["priced"] and o["status"] == "Shipped"]
    repriced, restated, gone = priced[0], priced[1], priced[2]
    async with unit_of_work(h.sessionmaker) as session:
        # An item price not updated, a status not updated (the kept totals not recomputed with it), an
        # order lost, an order Amazon does not have.
        await session.execute(
            text("UPDATE order_items SET item_price = item_price + 1 WHERE amazon_order_id = :o"),
            {"o": repriced["amazon_order_id"]},
        )
        await session.execute(
            text("UPDATE orders SET order_status = 'UNSHIPPED' WHERE amazon_order_id = :o"),
            {"o": restated["amazon_order_id"]},
        )
        await session.execute(
            text("DELETE FROM orders WHERE amazon_order_id = :o"), {"o": gone["amazon_order_id"]}
        )
        await session.execute(
            text(
                "INSERT INTO orders (tenant_id, connection_id, marketplace_id, amazon_order_id,"
                " purchase_date, last_update_date, order_status, source)"
                " SELECT tenant_id, connection_id, marketplace_id, '999-0000000-0000000', purchase_date,"
                " last_update_date, order_status, source FROM orders WHERE amazon_order_id = :o"
            ),
            {"o": repriced["amazon_order_id"]},
        )
    with pytest.raises(AssertionError) as failure:
        await assert_every_row_equal(engine, emulator_http, [seller], show=50, note="seed 42")
    message = str(failure.value)
    print(message)
    assert "(seed 42)" in message
    assert f"connection {connection_id}" in message
    assert "4 of 400 orders disagree (1 missing, 1 not at Amazon, 2 with different fields" in message
    sku = repriced["items"][0]["sku"]
    price = repriced["items"][0]["item_price"]
    assert (
        f"{repriced['amazon_order_id']} line sku:{sku} item_price: ours=Decimal('{float(price) + 1:.2f}')"
        f" truth=Decimal('{price}')" in message
    )
    assert f"{restated['amazon_order_id']} status: ours='UNSHIPPED' truth='SHIPPED'" in message
    assert f"{gone['amazon_order_id']} missing from PostgreSQL" in message
    assert "999-0000000-0000000 in PostgreSQL, not at Amazon" in message
    assert "order_day_totals/order_month_totals differ from the orders they sum" in message
