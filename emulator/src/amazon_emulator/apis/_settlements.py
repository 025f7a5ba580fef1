"""Settlement reports (``GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2``): Amazon creates them; nobody asks.

Amazon closes a settlement period every 14 days and publishes its report; sellers find it with getReports.
The emulator does the same lazily: when a seller lists reports, every 14-day period of the emulator's clock
that closed within the 90 days getReports can show (periods start at multiples of 14 days since the epoch)
and is not reported yet gets its report, created at the period's end, already DONE. Periods follow the clock
like order dates do (they are dates, not durations), so advancing the clock 14 days makes one more appear.

The report lists the seller's orders shipped in the period in its primary marketplace (one settlement per
seller and period; Amazon settles per currency): for each item its principal, the referral fee and, for FBA,
the fulfilment fee, then the refunds of the FBA returns received in the period (the returns report's), after a
summary line with the settlement's totals, as in Seller Central's V2 flat file.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from datetime import UTC, datetime

from amazon_emulator.apis._reports_catalog import return_of, shipped_at
from amazon_emulator.data.marketplaces import MARKETPLACES
from amazon_emulator.data.models import Order, OrderItem, Seller

SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
PERIOD_SECONDS = 14 * 86400.0
LOOKBACK_SECONDS = 90 * 86400.0
REFERRAL_RATE = 0.15
FBA_FEE_PER_UNIT = 3.22

COLUMNS = (
    "settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date", "total-amount",
    "currency", "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id",
    "marketplace-name", "amount-type", "amount-description", "amount", "fulfillment-id", "posted-date",
    "posted-date-time", "order-item-code", "merchant-order-item-id", "merchant-adjustment-item-id", "sku",
    "quantity-purchased", "promotion-id",
)  # fmt: skip


def closed_periods(now: float) -> list[tuple[float, float]]:
    """(start, end) of every period that ended within the last 90 days, oldest first."""
    last_end = (now // PERIOD_SECONDS) * PERIOD_SECONDS
    out = []
    end = last_end
    while end > now - LOOKBACK_SECONDS:
        out.append((end - PERIOD_SECONDS, end))
        end -= PERIOD_SECONDS
    return out[::-1]


def _stamp(ts: float) -> str:
    return datetime.fromtimestamp(int(ts), UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def settled_orders(seller: Seller, start: float, end: float) -> list[Order]:
    """Orders of the primary marketplace shipped in ``[start, end)``."""
    market = seller.marketplace_ids()[0]
    # Orders ship within a few days of purchase: look a week back for ones bought before the period.
    out = []
    for order in seller.purchased_between(start - 7 * 86400, end):
        shipped = shipped_at(order)
        if order.marketplace_id == market and shipped is not None and start <= shipped < end:
            out.append(order)
    return out


def refunds_in(seller: Seller, start: float, end: float) -> list[tuple[Order, OrderItem, float]]:
    """FBA returns (:func:`._reports_catalog.return_of`) received in ``[start, end)``, primary marketplace."""
    market = seller.marketplace_ids()[0]
    out = []
    # A return arrives at most ~28 days after shipping: look 40 days back for the orders.
    for order in seller.purchased_between(start - 40 * 86400, end):
        if order.marketplace_id != market:
            continue
        for item in order.items:
            back = return_of(order, item)
            if back is not None and start <= back[0] < end:
                out.append((order, item, back[0]))
    return out


def settlement_id(seller: Seller, end: float) -> str:
    return str(
        10_000_000_000 + zlib.crc32(f"{seller.selling_partner_id}:{int(end)}".encode()) % 9_000_000_000
    )


def settlement_report(seller: Seller, start: float, end: float) -> bytes | None:
    """The flat file for one period, ``None`` when nothing shipped in it."""
    orders = settled_orders(seller, start, end)
    if not orders:
        return None
    market = MARKETPLACES[seller.marketplace_ids()[0]]
    sid = settlement_id(seller, end)
    lines: list[dict[str, str]] = []
    total = 0.0
    for order in orders:
        shipped = shipped_at(order) or end
        for item in order.items:
            principal = round(item.unit_price * item.quantity, 2)
            amounts = [("ItemPrice", "Principal", principal), ("ItemFees", "Commission",
                       -round(principal * REFERRAL_RATE, 2))]  # fmt: skip
            if order.fulfillment_channel == "AFN":
                amounts.append(
                    ("ItemFees", "FBAPerUnitFulfillmentFee", -round(FBA_FEE_PER_UNIT * item.quantity, 2))
                )
            for amount_type, description, value in amounts:
                total += value
                lines.append(
                    {
                        "settlement-id": sid,
                        "transaction-type": "Order",
                        "order-id": order.amazon_order_id,
                        "merchant-order-id": order.seller_order_id or "",
                        "shipment-id": f"S{zlib.crc32(order.amazon_order_id.encode()):09d}",
                        "marketplace-name": market.sales_channel,
                        "amount-type": amount_type,
                        "amount-description": description,
                        "amount": f"{value:.2f}",
                        "fulfillment-id": "AFN" if order.fulfillment_channel == "AFN" else "MFN",
                        "posted-date": datetime.fromtimestamp(int(shipped), UTC).strftime("%Y-%m-%d"),
                        "posted-date-time": _stamp(shipped),
                        "order-item-code": item.order_item_id,
                        "sku": item.product.sku,
                        "quantity-purchased": str(item.quantity),
                    }
                )
    for order, item, when in refunds_in(seller, start, end):
        value = -round(item.unit_price, 2)  # one unit comes back per return
        total += value
        lines.append(
            {
                "settlement-id": sid,
                "transaction-type": "Refund",
                "order-id": order.amazon_order_id,
                "merchant-order-id": order.seller_order_id or "",
                "adjustment-id": f"A{zlib.crc32((order.amazon_order_id + item.order_item_id).encode()):09d}",
                "marketplace-name": market.sales_channel,
                "amount-type": "ItemPrice",
                "amount-description": "Principal",
                "amount": f"{value:.2f}",
                "fulfillment-id": "AFN",
                "posted-date": datetime.fromtimestamp(int(when), UTC).strftime("%Y-%m-%d"),
                "posted-date-time": _stamp(when),
                "order-item-code": item.order_item_id,
                "sku": item.product.sku,
                "quantity-purchased": "1",
            }
        )
    summary = {
        "settlement-id": sid,
        "settlement-start-date": _stamp(start),
        "settlement-end-date": _stamp(end),
        "deposit-date": _stamp(end + 86400),
        "total-amount": f"{total:.2f}",
        "currency": market.currency,
    }
    return b"".join(_rows([summary, *lines]))


def _rows(lines: list[dict[str, str]]) -> Iterator[bytes]:
    yield ("\t".join(COLUMNS) + "\n").encode()
    for line in lines:
        yield ("\t".join(line.get(c, "") for c in COLUMNS) + "\n").encode()
