"""One vocabulary for orders whatever the source: Amazon's spellings (Orders API v0, flat-file
reports) mapped to the 2026-01-01 ones the tables store."""

from __future__ import annotations

STATUS_FROM_V0 = {
    "PendingAvailability": "PENDING_AVAILABILITY",
    "Pending": "PENDING",
    "Unshipped": "UNSHIPPED",
    "PartiallyShipped": "PARTIALLY_SHIPPED",
    "Shipped": "SHIPPED",
    "InvoiceUnconfirmed": "INVOICE_UNCONFIRMED",
    "Canceled": "CANCELLED",
    "Cancelled": "CANCELLED",
    "Unfulfillable": "UNFULFILLABLE",
}
# Order reports use Seller Central's wording.
STATUS_FROM_REPORT = {
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
CHANNEL = {"AMAZON": "AFN", "MERCHANT": "MFN", "Amazon": "AFN", "Merchant": "MFN", "AFN": "AFN", "MFN": "MFN"}

# Report `sales-channel` -> marketplace id (Amazon's "Marketplace IDs" page).
MARKETPLACE_BY_SALES_CHANNEL = {
    "amazon.com": "ATVPDKIKX0DER",
    "amazon.ca": "A2EUQ1WTGCTBG2",
    "amazon.com.mx": "A1AM78C64UM0Y8",
    "amazon.com.br": "A2Q3Y263D00KWC",
    "amazon.co.uk": "A1F83G8C2ARO7P",
    "amazon.de": "A1PA6795UKMFR9",
    "amazon.fr": "A13V1IB3VIYZZH",
    "amazon.it": "APJ6JRA9NG5V4",
    "amazon.es": "A1RKKUPIHCS9HS",
    "amazon.nl": "A1805IZSGTT6HS",
    "amazon.se": "A2NODRKZP88ZB9",
    "amazon.pl": "A1C3SOZRARQ6R3",
    "amazon.com.be": "AMEN7PMS3EDWL",
    "amazon.ie": "A28R8C7NBKEWEA",
    "amazon.com.tr": "A33AVAJ2PDY3EV",
    "amazon.ae": "A2VIGQ35RCS4UG",
    "amazon.sa": "A17E79C6D8DWNP",
    "amazon.eg": "ARBP9OOSHTCHU",
    "amazon.co.za": "AE08WJ6YKNBMC",
    "amazon.in": "A21TJRUUN4KGV",
    "amazon.co.jp": "A1VC38T7YXB528",
    "amazon.com.au": "A39IBJ37TRP1C6",
    "amazon.sg": "A19VAU5U5O7RUS",
}
