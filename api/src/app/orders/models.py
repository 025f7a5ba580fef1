"""Orders and order items synced from SP-API.

Never stored: buyer PII (names, e-mail, address lines, phone, tax ids). `raw` is Amazon's payload
with those fields removed before it is written; the address is fetched on demand and not kept.
Amazon's own vocabularies (order status, fulfillment channel, ...) are stored as Amazon sends them,
without CHECK constraints, so a new Amazon value never breaks a sync.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantOwned

Money = Numeric(14, 2)


class Order(TenantOwned, Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("tenant_id", "connection_id", "amazon_order_id"),
        # What the item lines' foreign key refers to: a line belongs to an order of its own tenant.
        UniqueConstraint("tenant_id", "id"),
        # The orders list: keyset pagination on (purchase_date, id) descending within a tenant,
        # optionally filtered by marketplace or status. Backward scans serve the DESC order.
        Index("ix_orders_tenant_purchase_date", "tenant_id", "purchase_date", "id"),
        Index(
            "ix_orders_tenant_marketplace_purchase_date", "tenant_id", "marketplace_id", "purchase_date", "id"
        ),
        Index("ix_orders_tenant_status_purchase_date", "tenant_id", "order_status", "purchase_date"),
        # The day totals' recompute (the orders of one connection, marketplace and day) and the
        # ON DELETE CASCADE from connections.
        Index(
            "ix_orders_connection_marketplace_purchase_date",
            "connection_id",
            "marketplace_id",
            "purchase_date",
        ),
        CheckConstraint("source IN ('report', 'api')", name="source"),
    )

    # Orders are the big table: a bigint identity is compact and insert-ordered. Order ids are
    # never guessable from the outside anyway because every route is tenant-scoped.
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), nullable=False
    )
    marketplace_id: Mapped[str] = mapped_column(String(30), nullable=False)
    amazon_order_id: Mapped[str] = mapped_column(String(50), nullable=False)
    purchase_date: Mapped[datetime] = mapped_column(nullable=False)
    last_update_date: Mapped[datetime] = mapped_column(nullable=False)
    order_status: Mapped[str] = mapped_column(String(40), nullable=False)
    fulfillment_channel: Mapped[str | None] = mapped_column(String(20))
    sales_channel: Mapped[str | None] = mapped_column(String(100))
    order_type: Mapped[str | None] = mapped_column(String(50))
    is_business_order: Mapped[bool | None] = mapped_column(Boolean)
    is_prime: Mapped[bool | None] = mapped_column(Boolean)
    is_replacement_order: Mapped[bool | None] = mapped_column(Boolean)
    currency: Mapped[str | None] = mapped_column(String(3))
    # NULL while Pending: Amazon gives no price before payment is authorised.
    order_total: Mapped[Decimal | None] = mapped_column(Money)
    number_of_items_shipped: Mapped[int | None] = mapped_column(Integer)
    number_of_items_unshipped: Mapped[int | None] = mapped_column(Integer)
    ship_service_level: Mapped[str | None] = mapped_column(String(100))
    # Coarse destination for analytics (Amazon serves these without restricted access); street
    # lines, names and phone numbers are PII and are never stored.
    ship_city: Mapped[str | None] = mapped_column(String(100))
    ship_state_or_region: Mapped[str | None] = mapped_column(String(100))
    ship_postal_code: Mapped[str | None] = mapped_column(String(20))
    ship_country_code: Mapped[str | None] = mapped_column(String(2))
    # Which path wrote the row last: the backfill's order reports or the Orders API.
    source: Mapped[str] = mapped_column(String(10), nullable=False)
    raw: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )
    first_seen_at: Mapped[datetime] = mapped_column(server_default=func.now(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        server_default=func.now(), onupdate=func.now(), nullable=False
    )


def item_line_key(
    seller_sku: str | None, asin: str | None, order_item_id: str | None, occurrence: int = 1
) -> str:
    """The natural key of an order line, identical whether the line came from a report or the API.

    Order reports carry no OrderItemId, while both reports and the Orders API carry the SellerSKU
    and the ASIN; keying on the SKU lets a backfilled line and its later API update meet on
    ON CONFLICT (tenant_id, order_id, line_key) instead of becoming two lines. Rule:
    "sku:<SellerSKU>", else "asin:<ASIN>", else "item:<OrderItemId>"; when the same key appears
    again in one order, the n-th occurrence (in the source's order) gets "#n" appended.
    """
    if seller_sku:
        key = f"sku:{seller_sku}"
    elif asin:
        key = f"asin:{asin}"
    elif order_item_id:
        key = f"item:{order_item_id}"
    else:
        raise ValueError("an order line needs a SellerSKU, an ASIN or an OrderItemId")
    return key if occurrence == 1 else f"{key}#{occurrence}"


class OrderItem(TenantOwned, Base):
    __tablename__ = "order_items"
    __table_args__ = (
        # line_key is built by `item_line_key`; see its docstring for the matching rule. The key
        # also serves the foreign key's cascade (the lines of one order).
        UniqueConstraint("tenant_id", "order_id", "line_key"),
        # One foreign key, to the order of the same tenant: deleting an order, its connection or
        # its tenant deletes its lines through it. Separate keys to tenants and connections would
        # check the same thing again for every line written (a third of a bulk upsert's time in
        # PostgreSQL, measured with bench/b2_ingest.py).
        ForeignKeyConstraint(
            ["tenant_id", "order_id"], ["orders.tenant_id", "orders.id"], ondelete="CASCADE"
        ),
    )

    # Not a foreign key to tenants (see above): the order's tenant, enforced by the key to orders.
    tenant_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    order_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    # The order's connection, copied for the upsert's grouping; the order's own key deletes the
    # line with its connection.
    connection_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    amazon_order_id: Mapped[str] = mapped_column(String(50), nullable=False)
    # Known once the Orders API has seen the line (reports carry none); writers keep it with
    # COALESCE so a later report row does not erase it.
    order_item_id: Mapped[str | None] = mapped_column(String(50))
    line_key: Mapped[str] = mapped_column(Text, nullable=False)
    asin: Mapped[str | None] = mapped_column(String(20))
    seller_sku: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(Text)
    quantity_ordered: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    quantity_shipped: Mapped[int | None] = mapped_column(Integer)
    item_price: Mapped[Decimal | None] = mapped_column(Money)
    item_tax: Mapped[Decimal | None] = mapped_column(Money)
    shipping_price: Mapped[Decimal | None] = mapped_column(Money)
    shipping_tax: Mapped[Decimal | None] = mapped_column(Money)
    promotion_discount: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    raw: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )
    first_seen_at: Mapped[datetime] = mapped_column(server_default=func.now(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        server_default=func.now(), onupdate=func.now(), nullable=False
    )


class _KeptTotals(TenantOwned):
    """The columns `order_day_totals` and `order_month_totals` share: one row per (connection,
    marketplace, status, period, currency); `currency` is '' when the order has none yet
    (Pending)."""

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), nullable=False
    )
    marketplace_id: Mapped[str] = mapped_column(String(30), nullable=False)
    order_status: Mapped[str] = mapped_column(String(40), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    orders: Mapped[int] = mapped_column(Integer, nullable=False)
    # Orders with a total (a Pending order has none): `order_total` is NULL in the API when 0.
    priced_orders: Mapped[int] = mapped_column(Integer, nullable=False)
    order_total: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)


class OrderDayTotal(_KeptTotals, Base):
    """Orders and revenue per UTC purchase day, kept by the orders upsert in the same transaction.

    The orders list's totals read these rows for whole days and the orders table only for the
    partial days at the edges of a date filter: totals stay exact and cheap for sellers with
    hundreds of thousands of orders (a count over the orders themselves grows with the seller).
    """

    __tablename__ = "order_day_totals"

    day: Mapped[date] = mapped_column(Date, nullable=False)

    __table_args__ = (
        PrimaryKeyConstraint(
            "tenant_id", "connection_id", "marketplace_id", "order_status", "day", "currency"
        ),
        # Reads are per tenant over a day range, optionally narrowed (connection, marketplace, status).
        Index("ix_order_day_totals_tenant_day", "tenant_id", "day"),
    )


class OrderMonthTotal(_KeptTotals, Base):
    """`order_day_totals` summed per calendar month (UTC), kept by the orders upsert right after
    the days it recomputed.

    An unfiltered total over two years reads ~24 month rows per (marketplace, status, currency)
    instead of ~730 day rows: the day rows alone cost ~5 ms of PostgreSQL per first page for a
    seller with two years of history (bench/b4_orders_api.py). `month` is the month's first day.
    """

    __tablename__ = "order_month_totals"

    month: Mapped[date] = mapped_column(Date, nullable=False)

    __table_args__ = (
        PrimaryKeyConstraint(
            "tenant_id", "connection_id", "marketplace_id", "order_status", "month", "currency"
        ),
        Index("ix_order_month_totals_tenant_month", "tenant_id", "month"),
    )


class OrderAsinDayTotal(TenantOwned, Base):
    """Sales of each ASIN per day of the marketplace's reporting time zone
    (`app.connections.amazon.REPORTING_TIME_ZONES`, the day Ads reports count in), over the lines
    of the orders that are not canceled; kept by the orders upsert in the same transaction as the
    orders and lines it wrote (`app.orders.sales_repository`).

    The Ads figures (total sales, TACOS, organic sales) read these rows instead of every order line
    of a range: joining the lines to their orders cost ~2 us of PostgreSQL per line, ~36 ms for a
    90-day series of a seller with 80 orders a day (bench/b10_ads_read.py). `asin` and `currency`
    are '' on a line without one."""

    __tablename__ = "order_asin_day_totals"

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), nullable=False
    )
    marketplace_id: Mapped[str] = mapped_column(String(30), nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    asin: Mapped[str] = mapped_column(String(20), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    # The lines' `item_price` (the whole line) and `quantity_ordered`.
    sales: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    units: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = (
        # Reads are one seller's marketplace over a day range; `sales` rides in the key's index so
        # settled days are read from the index alone.
        PrimaryKeyConstraint(
            "tenant_id",
            "connection_id",
            "marketplace_id",
            "day",
            "asin",
            "currency",
            postgresql_include=["sales"],
        ),
    )


class OrderAddressCache(TenantOwned, Base):
    """A buyer's shipping address kept for PII_CACHE_DAYS after Amazon returned it (only when that
    setting is above 0), so repeated views do not ask Amazon for an RDT each time. The payload is
    encrypted with the tenant's data key (`app.tokens.tenant_keys`); `orders.purge_address_cache`
    deletes rows past `expires_at` on every scheduler tick, and the row goes with its order."""

    __tablename__ = "order_address_cache"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "order_id"), Index(None, "expires_at"))

    order_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False
    )
    payload_enc: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    cached_at: Mapped[datetime] = mapped_column(server_default=func.now(), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(nullable=False)
