"""Snapshot and period reports built from the seller's catalogue and orders (tab-separated, Seller Central's
column names and wording):

* ``GET_MERCHANT_LISTINGS_ALL_DATA`` and ``GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA``: one line per SKU. The
  seller's own catalogue comes first (the SKUs its orders use); ``POST /_emulator/sellers/{id}/listings``
  sets how many SKUs are listed, and SKUs past the catalogue are synthesised from their index. Lines are
  yielded in chunks so a million-line document never exists whole in memory.
* ``GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA``: returns of some shipped FBA orders (chosen by a hash of the
  order item, so the same items are returned every time and the sales and traffic refunds agree).

Quantities and prices are derived from hashes of the SKU so that two reports of the same seller agree; then
the changes applied by JSON_LISTINGS_FEED feeds (:mod:`._listing_changes`: price, quantity, handling time,
fulfillment channel) replace them, looked up per SKU only when the seller has any in that marketplace.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import NamedTuple

from amazon_emulator.apis._listing_changes import MERCHANT, NO_CHANGES, ListingChange
from amazon_emulator.data.models import SHIPPED, Order, OrderItem, Product, Seller

LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
INVENTORY = "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"
RETURNS = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"
TSV = "text/tab-separated-values; charset=UTF-8"
DAY = 86400.0

LISTINGS_COLUMNS = (
    "item-name", "item-description", "listing-id", "seller-sku", "price", "quantity", "open-date",
    "image-url", "item-is-marketplace", "product-id-type", "zshop-shipping-fee", "item-note",
    "item-condition", "zshop-category1", "zshop-browse-path", "zshop-storefront-feature", "asin1", "asin2",
    "asin3", "will-ship-internationally", "expedited-shipping", "zshop-boldface", "product-id",
    "bid-for-featured-placement", "add-delete", "pending-quantity", "fulfillment-channel",
    "merchant-shipping-group", "status",
)  # fmt: skip
INVENTORY_COLUMNS = (
    "sku", "fnsku", "asin", "product-name", "condition", "your-price", "mfn-listing-exists",
    "mfn-fulfillable-quantity", "afn-listing-exists", "afn-warehouse-quantity", "afn-fulfillable-quantity",
    "afn-unsellable-quantity", "afn-reserved-quantity", "afn-total-quantity", "per-unit-volume",
    "afn-inbound-working-quantity", "afn-inbound-shipped-quantity", "afn-inbound-receiving-quantity",
    "afn-researching-quantity", "afn-reserved-future-supply", "afn-future-supply-buyable",
)  # fmt: skip
RETURNS_COLUMNS = (
    "return-date", "order-id", "sku", "asin", "fnsku", "product-name", "quantity", "fulfillment-center-id",
    "detailed-disposition", "reason", "status", "license-plate-number", "customer-comments",
)  # fmt: skip

_REASONS = ("NOT_AS_DESCRIBED", "DEFECTIVE", "UNWANTED_ITEM", "NO_LONGER_NEEDED", "ORDERED_WRONG_ITEM")
_DISPOSITIONS = ("SELLABLE", "SELLABLE", "CUSTOMER_DAMAGED", "DEFECTIVE", "CARRIER_DAMAGED")
_CENTERS = ("PHX7", "ONT8", "BFI4", "MDW2", "SDF8", "TPA1")
_CHUNK_LINES = 5000
_AMAZON = "AMAZON_NA"  # the fulfillment channel of FBA offers in the listings report
# About 6 % of shipped FBA items come back, as a typical return rate.
RETURN_PERCENT = 6


def _hash(text: str) -> int:
    return zlib.crc32(text.encode())


class Listing(NamedTuple):
    """One SKU of the seller in one marketplace (a named tuple: a million of them are built per report, and
    a tuple is the cheapest immutable record to build)."""

    sku: str
    asin: str
    title: str
    price: float
    quantity: int
    opened: float
    key: int  # crc32 of the SKU: the other per-SKU columns (listing id, open date...) derive from it
    fulfillment_channel: str  # "DEFAULT" (merchant) or "AMAZON_NA" (FBA)
    handling_time: int | None  # days; merchant-fulfilled offers only

    @property
    def fba(self) -> bool:
        return self.fulfillment_channel != MERCHANT


def fnsku(asin: str) -> str:
    return "X00" + asin[-7:]


def open_anchor(seller: Seller, at: float) -> float:
    """Listings opened over the 700 days before this (a month before the first order): stable over time."""
    return (seller.orders[0].purchase_ts if seller.orders else at) - 30 * DAY


def listings(
    seller: Seller,
    marketplace_id: str,
    count: int | None,
    at: float,
    changes: Mapping[str, ListingChange] = NO_CHANGES,
    start: int = 0,
) -> Iterator[Listing]:
    """The seller's SKUs in ``marketplace_id``: the catalogue, then synthetic ones up to ``count``, from
    index ``start``, with the feeds' ``changes`` applied."""
    catalogue: list[Product] = list(seller.catalogue)
    total = len(catalogue) if count is None else count
    anchor = open_anchor(seller, at)
    prefix = seller.selling_partner_id.encode()
    changed = bool(changes)  # most sellers have none: no lookup per line then
    for index in range(start, total):
        if index < len(catalogue):
            product = catalogue[index]
            sku, asin, title = product.sku, product.asin, product.title
            price = product.prices.get(marketplace_id, 0.0)
        else:
            h = zlib.crc32(b"%s:%d" % (prefix, index))
            sku, asin = f"GEN-{index:08d}", f"B0{h:08X}"
            title, price = f"Generated Item {index}", 5 + h % 20000 / 100
        h = zlib.crc32(sku.encode())
        quantity = h % 120
        if h & 1:
            channel, handling = _AMAZON, None
        else:
            channel, handling = MERCHANT, 1 + (h >> 9) % 3
        if changed:
            change = changes.get(sku)
            if change is not None:
                price = price if change.price is None else change.price
                quantity = quantity if change.quantity is None else change.quantity
                channel = change.fulfillment_channel or channel
                handling = handling if change.handling_time is None else change.handling_time
        yield Listing(sku, asin, title, price, quantity, anchor - (h % 700) * DAY, h, channel, handling)


_GENERATED = "GEN-"


def catalogue_positions(seller: Seller) -> dict[str, int]:
    return {product.sku: index for index, product in enumerate(seller.catalogue)}


def listing_index(
    seller: Seller, count: int | None, sku: str, positions: Mapping[str, int] | None = None
) -> int | None:
    """The position of ``sku`` among the seller's listings (``None``: the seller has no such SKU);
    ``positions``: :func:`catalogue_positions`, when many SKUs are looked up."""
    total = len(seller.catalogue) if count is None else count
    if sku.startswith(_GENERATED) and len(sku) == 12 and sku[4:].isdigit():
        index = int(sku[4:])
        return index if len(seller.catalogue) <= index < total else None
    found = (positions if positions is not None else catalogue_positions(seller)).get(sku)
    return found if found is not None and found < total else None


def listing_of(
    seller: Seller, marketplace_id: str, count: int | None, sku: str, at: float,
    changes: Mapping[str, ListingChange] = NO_CHANGES, positions: Mapping[str, int] | None = None,
) -> Listing | None:  # fmt: skip
    """One listing of the seller, as the listings report would show it now."""
    index = listing_index(seller, count, sku, positions)
    if index is None:
        return None
    return next(listings(seller, marketplace_id, index + 1, at, changes, start=index), None)


def _tsv(columns: tuple[str, ...], rows: Iterator[tuple[str, ...]]) -> Iterator[bytes]:
    """Header then rows, joined per chunk of lines (bytes, UTF-8)."""
    yield ("\t".join(columns) + "\n").encode()
    batch: list[str] = []
    for row in rows:
        batch.append("\t".join(row))
        if len(batch) >= _CHUNK_LINES:
            yield ("\n".join(batch) + "\n").encode()
            batch = []
    if batch:
        yield ("\n".join(batch) + "\n").encode()


def _dates(anchor: float) -> list[str]:
    # 700 possible open dates: formatting each once keeps a million lines fast.
    return [
        datetime.fromtimestamp(anchor - d * DAY, UTC).strftime("%Y-%m-%d %H:%M:%S UTC") for d in range(700)
    ]


def listings_chunks(
    seller: Seller, marketplace_id: str, count: int | None, at: float,
    changes: Mapping[str, ListingChange] = NO_CHANGES,
) -> Iterator[bytes]:  # fmt: skip
    def rows() -> Iterator[tuple[str, ...]]:
        opened = _dates(open_anchor(seller, at))
        for item in listings(seller, marketplace_id, count, at, changes):
            h, fba = item.key, item.fulfillment_channel != MERCHANT
            yield (
                item.title, "", f"{h:010d}", item.sku, f"{item.price:.2f}",
                "" if fba else str(item.quantity), opened[h % 700], "", "y", "1", "", "", "11", "", "", "",
                item.asin, "", "", "", "", "", item.asin, "", "", "0", item.fulfillment_channel,
                "Migrated Template", "Active" if item.quantity else "Inactive",
            )  # fmt: skip

    return _tsv(LISTINGS_COLUMNS, rows())


def inventory_chunks(
    seller: Seller, marketplace_id: str, count: int | None, at: float,
    changes: Mapping[str, ListingChange] = NO_CHANGES,
) -> Iterator[bytes]:  # fmt: skip
    def rows() -> Iterator[tuple[str, ...]]:
        for item in listings(seller, marketplace_id, count, at, changes):
            h = item.key >> 7
            fulfillable, unsellable, reserved = item.quantity, h % 3, h % 5
            inbound = h % 7
            warehouse = fulfillable + unsellable + reserved
            yield (
                item.sku, fnsku(item.asin), item.asin, item.title, "New", f"{item.price:.2f}", "No", "",
                "Yes", str(warehouse), str(fulfillable), str(unsellable), str(reserved),
                str(warehouse + inbound), f"{0.05 + h % 100 / 100:.2f}", "0", str(inbound), "0", "0", "0",
                "0",
            )  # fmt: skip

    return _tsv(INVENTORY_COLUMNS, rows())


def shipped_at(order: Order) -> float | None:
    return next((when for when, status in order.timeline if status == SHIPPED), None)


def return_of(order: Order, item: OrderItem) -> tuple[float, int] | None:
    """(return time, units) when this FBA item is returned (whenever that is), else ``None``."""
    if order.fulfillment_channel != "AFN":
        return None
    shipped = shipped_at(order)
    if shipped is None:
        return None
    h = _hash(order.amazon_order_id + item.order_item_id)
    if h % 100 >= RETURN_PERCENT:
        return None
    return shipped + (3 + h % 25) * DAY + h % 36000, 1


def returns_report(seller: Seller, markets: list[str], start: float, end: float, at: float) -> bytes | None:
    """Returns received in ``[start, end]`` (as of ``at``), newest last; ``None`` when there are none."""
    wanted = set(markets)
    rows: list[tuple[float, tuple[str, ...]]] = []
    # A return arrives at most ~28 days after shipping, which is at most a few days after purchase.
    for order in seller.purchased_between(start - 40 * DAY, min(end, at)):
        if order.marketplace_id not in wanted:
            continue
        for item in order.items:
            found = return_of(order, item)
            if found is None or not start <= found[0] <= min(end, at):
                continue
            when, units = found
            h = _hash(order.amazon_order_id + item.order_item_id)
            disposition = _DISPOSITIONS[h % len(_DISPOSITIONS)]
            rows.append(
                (
                    when,
                    (
                        datetime.fromtimestamp(int(when), UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
                        order.amazon_order_id, item.product.sku, item.product.asin, fnsku(item.product.asin),
                        item.product.title, str(units), _CENTERS[h % len(_CENTERS)], disposition,
                        _REASONS[h % len(_REASONS)],
                        "Unit returned to inventory" if disposition == "SELLABLE" else "Reimbursed",
                        f"LPN{h:010d}", "",
                    ),
                )
            )  # fmt: skip
    if not rows:
        return None
    rows.sort(key=lambda r: (r[0], r[1][1]))
    return b"".join(_tsv(RETURNS_COLUMNS, iter(r for _, r in rows)))
