"""Buyer PII removed from Amazon order payloads before anything is stored (pure functions).

`raw` keeps Amazon's payload minus every buyer field: names, e-mails, address lines, phone
numbers, tax registrations, gift messages, customization data, free-text cancel reasons.
"""

from __future__ import annotations

from typing import Any

# Keys removed wherever they appear (any depth) in an Amazon payload. Both casings: v0 is
# PascalCase, 2026-01-01 camelCase.
PII_KEYS: frozenset[str] = frozenset(
    {
        # 2026-01-01
        "buyer",  # buyerName, buyerEmail, buyerCompanyName, buyerPurchaseOrderNumber
        "recipient",  # deliveryAddress (name, address lines, phone), delivery preferences
        "deliveryAddress",
        "taxRegistrations",  # legal names, tax registration numbers and addresses
        "taxRegistrationAddress",
        "buyerName",
        "buyerEmail",
        "buyerCompanyName",
        "buyerPurchaseOrderNumber",
        "customization",  # Amazon Custom data (buyer-supplied)
        "giftMessage",
        "cancelReason",  # free text from the buyer
        "shipFromAddress",  # an address: never kept, even the seller's
        "authorizationCode",  # payment authorisation
        # v0
        "ShippingAddress",
        "BuyerInfo",  # order: e-mail, name, county, tax info, PO; item: gift message, customization
        "BuyerTaxInformation",
        "BuyerTaxInfo",
        "BuyerEmail",
        "BuyerName",
        "BuyerCounty",
        "BuyerCompanyName",
        "PurchaseOrderNumber",
        "BuyerCustomizedInfo",
        "GiftMessageText",
        "BuyerRequestedCancel",  # carries the buyer's free-text reason
        "BuyerCancelReason",
        "DefaultShipFromLocationAddress",
        "DeliveryPreferences",
        # Generic address / contact fields, in case they show up in a block not listed above.
        "name",
        "Name",
        "phone",
        "Phone",
        "addressLine1",
        "addressLine2",
        "addressLine3",
        "AddressLine1",
        "AddressLine2",
        "AddressLine3",
        "legalName",
        "taxRegistrationNumber",
    }
)

# `name` is a PII key inside addresses only; elsewhere these keys are harmless and kept.
_KEEP_NAME_IN = frozenset({"salesChannel"})


def scrub(value: Any, *, _parent: str | None = None) -> Any:
    """A deep copy of `value` without any PII key (see `PII_KEYS`)."""
    if isinstance(value, dict):
        return {
            k: scrub(v, _parent=k)
            for k, v in value.items()
            if k not in PII_KEYS or (k in ("name", "Name") and _parent in _KEEP_NAME_IN)
        }
    if isinstance(value, list):
        return [scrub(v, _parent=_parent) for v in value]
    return value
