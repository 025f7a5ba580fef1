"""The orders vocabulary, defined once: order statuses in the Orders API 2026-01-01 spelling and
fulfillment channels as AFN / MFN, with the tables that turn Amazon's other spellings into them.

Amazon writes the same status three ways: 2026-01-01 (`SHIPPED`), v0 (`Shipped`) and Seller
Central's wording in flat-file order reports (`Shipped - Delivered to Buyer`); the channel as
`AMAZON`/`MERCHANT` (2026-01-01), `AFN`/`MFN` (v0) or `Amazon`/`Merchant` (reports). The client
sends these values in queries; `app.orders` stores them and the HTTP API publishes them as enums.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

OrderStatus = Literal[
    "PENDING_AVAILABILITY",
    "PENDING",
    "UNSHIPPED",
    "PARTIALLY_SHIPPED",
    "SHIPPED",
    "INVOICE_UNCONFIRMED",  # v0 only: 2026-01-01 has no such status (nor a filter for it)
    "CANCELLED",
    "UNFULFILLABLE",
]
ORDER_STATUSES: Final[tuple[OrderStatus, ...]] = get_args(OrderStatus)

FulfillmentChannel = Literal["AFN", "MFN"]  # fulfilled by Amazon / by the merchant
FULFILLMENT_CHANNELS: Final[tuple[FulfillmentChannel, ...]] = get_args(FulfillmentChannel)

# Our status -> v0's spelling (what a v0 getOrders filter sends).
V0_STATUS: Final[dict[OrderStatus, str]] = {
    "PENDING_AVAILABILITY": "PendingAvailability",
    "PENDING": "Pending",
    "UNSHIPPED": "Unshipped",
    "PARTIALLY_SHIPPED": "PartiallyShipped",
    "SHIPPED": "Shipped",
    "INVOICE_UNCONFIRMED": "InvoiceUnconfirmed",
    "CANCELLED": "Canceled",
    "UNFULFILLABLE": "Unfulfillable",
}
# v0's spelling -> ours ("Cancelled" too: order reports and some payloads write it so).
STATUS_FROM_V0: Final[dict[str, OrderStatus]] = {
    **{v0: status for status, v0 in V0_STATUS.items()},
    "Cancelled": "CANCELLED",
}
# Order reports use Seller Central's wording.
STATUS_FROM_REPORT: Final[dict[str, OrderStatus]] = {
    **STATUS_FROM_V0,
    "Shipping": "PARTIALLY_SHIPPED",
    "Shipped - Delivered to Buyer": "SHIPPED",
    "Shipped - Picked Up": "SHIPPED",
    "Shipped - Returned to Seller": "SHIPPED",
    "Shipped - Rejected by Buyer": "SHIPPED",
    "Shipped - Returning to Seller": "SHIPPED",
    "Shipped - Out for Delivery": "SHIPPED",
    "Complete": "SHIPPED",
    "Pending - Waiting for Pick Up": "PENDING",
}
# Every source's channel name -> ours.
CHANNEL_FROM_AMAZON: Final[dict[str, FulfillmentChannel]] = {
    "AMAZON": "AFN",
    "MERCHANT": "MFN",
    "Amazon": "AFN",
    "Merchant": "MFN",
    "AFN": "AFN",
    "MFN": "MFN",
}
