"""Orders API shapes. Money is a decimal string (exact), times ISO-8601 UTC."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from app.spapi.operations.orders_vocabulary import FulfillmentChannel, OrderStatus


class OrderSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    connection_id: uuid.UUID
    amazon_order_id: str
    marketplace_id: str
    purchase_date: datetime
    last_update_date: datetime
    order_status: OrderStatus = Field(description="Amazon's status in the 2026-01-01 spelling")
    fulfillment_channel: FulfillmentChannel | None = Field(description="AFN (Amazon) or MFN (merchant)")
    sales_channel: str | None
    currency: str | None
    order_total: Decimal | None = Field(
        description="NULL while Pending: Amazon shows no money before payment"
    )
    number_of_items_shipped: int | None
    number_of_items_unshipped: int | None
    ship_city: str | None
    ship_state_or_region: str | None
    ship_postal_code: str | None
    ship_country_code: str | None
    is_business_order: bool | None
    is_prime: bool | None
    source: str = Field(description="Which path wrote the row last: report (backfill) or api")


class CurrencyTotal(BaseModel):
    currency: str | None
    count: int
    total: Decimal | None


class OrdersTotals(BaseModel):
    count: int = Field(description="Orders matching the filters (exact)")
    by_currency: list[CurrencyTotal] = Field(
        description="Order count and sum of order_total per currency (total null when none has a price yet)"
    )


class OrdersPage(BaseModel):
    orders: list[OrderSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")
    totals: OrdersTotals | None = Field(
        description="For the filtered set, on the first page only (no cursor)"
    )


class OrderItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    line_key: str
    order_item_id: str | None
    asin: str | None
    seller_sku: str | None
    title: str | None
    quantity_ordered: int
    quantity_shipped: int | None
    item_price: Decimal | None
    item_tax: Decimal | None
    shipping_price: Decimal | None
    shipping_tax: Decimal | None
    promotion_discount: Decimal | None
    currency: str | None


class OrderDetail(OrderSummary):
    order_type: str | None
    is_replacement_order: bool | None
    ship_service_level: str | None
    first_seen_at: datetime
    updated_at: datetime
    items: list[OrderItemOut]


class ShippingAddressOut(BaseModel):
    """Buyer PII, fetched from Amazon on demand; never logged; cached encrypted if PII_CACHE_DAYS > 0."""

    amazon_order_id: str
    available: bool = Field(description="False when Amazon has no address for the order (e.g. Pending)")
    name: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    address_line3: str | None = None
    city: str | None = None
    state_or_region: str | None = None
    postal_code: str | None = None
    country_code: str | None = None
    phone: str | None = None
    address_type: str | None = None
