"""The flat-file loaders (listings, FBA inventory, FBA returns, settlements) on hand-written samples
with the official columns: values, idempotence, snapshots, keys."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.reports.catalogue import get_kind
from tests.factories.connections import Seller
from tests.reports.conftest import US, make_report, stream, target, tsv

LISTINGS_HEADER = (
    "item-name\titem-description\tlisting-id\tseller-sku\tprice\tquantity\topen-date\timage-url\t"
    "item-is-marketplace\tproduct-id-type\tzshop-shipping-fee\titem-note\titem-condition\tzshop-category1\t"
    "zshop-browse-path\tzshop-storefront-feature\tasin1\tasin2\tasin3\twill-ship-internationally\t"
    "expedited-shipping\tzshop-boldface\tproduct-id\tbid-for-featured-placement\tadd-delete\t"
    "pending-quantity\tfulfillment-channel\tmerchant-shipping-group\tstatus"
)


def listing(sku: str, price: str, quantity: str, *, status: str = "Active") -> str:
    cells = [
        f"Water bottle {sku}",
        "Keeps drinks cold",
        f"0612{sku[-4:]}X1",
        sku,
        price,
        quantity,
        "2023-01-12 08:10:12 PST",
        "",
        "y",
        "1",
        "",
        "",
        "11",
        "",
        "",
        "",
        f"B0{sku[-8:]:0>8}",
        "",
        "",
        "",
        "",
        "",
        f"B0{sku[-8:]:0>8}",
        "",
        "",
        "0",
        "DEFAULT",
        "Migrated Template",
        status,
    ]
    return "\t".join(cells)


async def rows(session: AsyncSession, table: str, order: str = "id") -> list[dict[str, Any]]:
    result = await session.execute(text(f"SELECT * FROM {table} ORDER BY {order}"))
    return [dict(r._mapping) for r in result]


async def test_listings_load_typed_rows_and_a_second_load_changes_nothing(
    session: AsyncSession, seller: Seller, uow: Any
) -> None:
    kind = get_kind("GET_MERCHANT_LISTINGS_ALL_DATA")
    assert kind.loader is not None
    report_id = await make_report(session, seller, kind.report_type)
    document = tsv(LISTINGS_HEADER, listing("SKU-00000001", "19.99", "7"), listing("SKU-00000002", "", ""))
    loaded = await kind.loader.load(uow, target(seller, report_id), stream(document), "report")
    assert loaded == 2
    first = await rows(session, "report_listings", "seller_sku")
    assert [r["seller_sku"] for r in first] == ["SKU-00000001", "SKU-00000002"]
    one = first[0]
    assert one["price"] == Decimal("19.99") and one["currency"] == "USD" and one["quantity"] == 7
    assert one["asin"] == "B000000001" and one["marketplace_id"] == US and one["status"] == "Active"
    assert one["open_date"] == datetime(2023, 1, 12, 16, 10, 12, tzinfo=UTC)  # PST is UTC-8
    assert one["report_id"] == report_id and one["tenant_id"] == seller.tenant_id
    assert first[1]["price"] is None and first[1]["quantity"] is None

    again = await kind.loader.load(uow, target(seller, report_id), stream(document, 3), "report")
    assert again == 2
    assert await rows(session, "report_listings", "seller_sku") == first  # updated_at included


async def test_a_new_listings_snapshot_updates_in_place_and_drops_what_it_no_longer_lists(
    session: AsyncSession, seller: Seller, uow: Any
) -> None:
    kind = get_kind("GET_MERCHANT_LISTINGS_ALL_DATA")
    assert kind.loader is not None
    old = await make_report(session, seller, kind.report_type)
    await kind.loader.load(
        uow,
        target(seller, old),
        stream(tsv(LISTINGS_HEADER, listing("SKU-1", "10.00", "1"), listing("SKU-2", "5.00", "2"))),
        "report",
    )
    ids = {r["seller_sku"]: r["id"] for r in await rows(session, "report_listings")}
    new = await make_report(session, seller, kind.report_type)
    await kind.loader.load(
        uow,
        target(seller, new),
        stream(tsv(LISTINGS_HEADER, listing("SKU-1", "12.50", "0", status="Inactive"))),
        "report",
    )
    after = await rows(session, "report_listings")
    assert [(r["id"], r["seller_sku"], r["price"], r["status"], r["report_id"]) for r in after] == [
        (ids["SKU-1"], "SKU-1", Decimal("12.50"), "Inactive", new)
    ]


INVENTORY_HEADER = (
    "sku\tfnsku\tasin\tproduct-name\tcondition\tyour-price\tmfn-listing-exists\tmfn-fulfillable-quantity\t"
    "afn-listing-exists\tafn-warehouse-quantity\tafn-fulfillable-quantity\tafn-unsellable-quantity\t"
    "afn-reserved-quantity\tafn-total-quantity\tper-unit-volume\tafn-inbound-working-quantity\t"
    "afn-inbound-shipped-quantity\tafn-inbound-receiving-quantity\tafn-researching-quantity\t"
    "afn-reserved-future-supply\tafn-future-supply-buyable"
)


async def test_fba_inventory_rows(session: AsyncSession, seller: Seller, uow: Any) -> None:
    kind = get_kind("GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA")
    assert kind.loader is not None and not kind.needs_dates
    report_id = await make_report(session, seller, kind.report_type)
    document = tsv(
        INVENTORY_HEADER,
        "BOTTLE-750\tX001ABCDEF\tB07XYZ1234\tSteel bottle 750 ml\tNew\t24.95\tNo\t\tYes\t130\t120\t3\t"
        "7\t130\t0.12\t0\t40\t5\t0\t0\t0",
        "\tX00NOSKU\tB000000000\tA row without a SKU is skipped\tNew\t1\tNo\t\tYes\t1\t1\t0\t0\t1\t"
        "0\t0\t0\t0\t0\t0\t0",
    )
    assert await kind.loader.load(uow, target(seller, report_id), stream(document), "report") == 1
    (row,) = await rows(session, "report_fba_inventory")
    assert (row["sku"], row["fnsku"], row["asin"], row["your_price"], row["currency"]) == (
        "BOTTLE-750",
        "X001ABCDEF",
        "B07XYZ1234",
        Decimal("24.95"),
        "USD",
    )
    assert row["mfn_listing_exists"] is False and row["afn_listing_exists"] is True
    assert row["mfn_fulfillable_quantity"] is None and row["afn_fulfillable_quantity"] == 120
    assert row["afn_inbound_shipped_quantity"] == 40 and row["per_unit_volume"] == Decimal("0.12")


RETURNS_HEADER = (
    "return-date\torder-id\tsku\tasin\tfnsku\tproduct-name\tquantity\tfulfillment-center-id\t"
    "detailed-disposition\treason\tstatus\tlicense-plate-number\tcustomer-comments"
)


async def test_fba_returns_keys_and_no_customer_comments(
    session: AsyncSession, seller: Seller, uow: Any
) -> None:
    kind = get_kind("GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA")
    assert kind.loader is not None and kind.needs_dates and kind.max_range_days
    report_id = await make_report(session, seller, kind.report_type)
    same = "2026-03-02T10:15:00+00:00\t112-0000002-0000002\tMUG\tB0MUG00001\tX0MUG\tMug\t1\tPHX7\tDAMAGED\tDEFECTIVE\tUnit returned to inventory\t\t"  # noqa: E501
    document = tsv(
        RETURNS_HEADER,
        "2026-03-01T08:00:00+00:00\t111-0000001-0000001\tBOTTLE\tB0BOTTLE01\tX0BOTTLE\tBottle\t1\tSDF8\t"
        "SELLABLE\tUNWANTED_ITEM\tUnit returned to inventory\tLPNRR123456789\tcall me at 555-0100",
        same,
        same,  # two identical lines without a license plate: two returns
    )
    assert await kind.loader.load(uow, target(seller, report_id), stream(document), "report") == 3
    assert await kind.loader.load(uow, target(seller, report_id), stream(document), "report") == 3
    found = await rows(session, "report_fba_returns", "line_key")
    assert len(found) == 3
    assert found[0]["line_key"].startswith("line:") and found[0]["line_key"].endswith("#1")
    assert found[1]["line_key"].endswith("#2")
    assert found[2]["line_key"] == "lpn:LPNRR123456789:111-0000001-0000001:BOTTLE"
    assert found[2]["return_date"] == datetime(2026, 3, 1, 8, tzinfo=UTC) and found[2]["quantity"] == 1
    assert "customer_comments" not in found[2]
    assert "555-0100" not in repr(found)


SETTLEMENT_HEADER = (
    "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\tcurrency\t"
    "transaction-type\torder-id\tmerchant-order-id\tadjustment-id\tshipment-id\tmarketplace-name\tamount-type\t"
    "amount-description\tamount\tfulfillment-id\tposted-date\tposted-date-time\torder-item-code\t"
    "merchant-order-item-id\tmerchant-adjustment-item-id\tsku\tquantity-purchased\tpromotion-id"
)


def settlement_line(kind: str, description: str, amount: str, posted: str) -> str:
    cells = [
        "11750394521",
        "",
        "",
        "",
        "",
        "",
        "Order",
        "302-1234567-7654321",
        "",
        "",
        "DkQwZyZ4b",
        "Amazon.de",
        kind,
        description,
        amount,
        "AFN",
        posted[:10],
        posted,
        "54321098765432",
        "",
        "",
        "BOTTLE-750",
        "1",
        "",
    ]
    return "\t".join(cells)


async def test_settlement_lines_carry_the_summary_and_read_eu_amounts(
    session: AsyncSession, seller: Seller, uow: Any
) -> None:
    kind = get_kind("GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2")
    assert kind.loader is not None and not kind.requestable
    report_id = await make_report(session, seller, kind.report_type)
    summary = "\t".join(
        [
            "11750394521",
            "01.03.2026 10:00:00 UTC",
            "15.03.2026 10:00:00 UTC",
            "17.03.2026 10:00:00 UTC",
            "1.234,56",
            "EUR",
            *[""] * 18,
        ]
    )
    posted = "2026-03-04 07:12:45 UTC"
    document = tsv(
        SETTLEMENT_HEADER,
        summary,
        settlement_line("ItemPrice", "Principal", "95,00", posted),
        settlement_line("ItemFees", "Commission", "-14,25", posted),
        settlement_line("ItemFees", "Commission", "-14,25", posted),  # the same fee twice: two lines
    )
    loaded = await kind.loader.load(
        uow, target(seller, report_id, marketplaces=()), stream(document), "report"
    )
    assert loaded == 4
    assert (
        await kind.loader.load(uow, target(seller, report_id, marketplaces=()), stream(document), "report")
        == 4
    )
    found = await rows(session, "report_settlement_lines", "line_no")
    assert [r["line_no"] for r in found] == [1, 2, 3, 4]
    head, principal, fee, _ = found
    assert head["total_amount"] == Decimal("1234.56") and head["currency"] == "EUR"
    assert head["settlement_end_date"] == datetime(2026, 3, 15, 10, tzinfo=UTC)
    assert principal["amount"] == Decimal("95.00") and fee["amount"] == Decimal("-14.25")
    assert principal["currency"] == "EUR" and principal["deposit_date"] == datetime(
        2026, 3, 17, 10, tzinfo=UTC
    )
    assert principal["marketplace_id"] == "A1PA6795UKMFR9"  # Amazon.de
    assert principal["posted_date"] == date(2026, 3, 4)
    assert principal["posted_date_time"] == datetime(2026, 3, 4, 7, 12, 45, tzinfo=UTC)
    assert principal["quantity_purchased"] == 1 and principal["sku"] == "BOTTLE-750"
