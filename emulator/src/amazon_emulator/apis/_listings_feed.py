"""JSON_LISTINGS_FEED processing: the processing report Amazon writes and the changes it applies.

The report has the shape of Amazon's ``listings-feed-processing-report-schema-v2.json``: ``header``
(``sellerId``, ``version``, ``feedId``), ``issues`` (``messageId``, ``sku``, ``code``, ``severity``,
``message``, ``attributeName``) and ``summary`` (errors, warnings, messages processed / accepted / invalid).
A message with an ERROR is invalid and changes nothing; WARNINGs leave it accepted.

Checks, per message (several issues per message are reported together, as Amazon does):

* structure: an integer ``messageId`` (unique in the feed), a ``sku``, a known ``operationType``,
  ``productType`` for UPDATE / PARTIAL_UPDATE / PATCH, ``attributes`` for UPDATE / PARTIAL_UPDATE and
  ``patches`` for PATCH;
* the SKU must be one of the seller's listings in every marketplace of the feed (the catalogue's SKUs, then
  the synthetic ones up to the listing count: ``listings(...)`` in :mod:`._reports_catalog`). Creating
  listings is not modelled, so an UPDATE of an unknown SKU is refused too;
* PATCH paths: ``/attributes/purchasable_offer`` and ``/attributes/fulfillment_availability`` with ``add``,
  ``replace`` or ``merge`` (the same values for the three); any other attribute, a path outside
  ``/attributes/`` and ``delete`` are refused. For UPDATE / PARTIAL_UPDATE the same two attributes are read
  from ``attributes`` (the others are accepted and not modelled);
* ``purchasable_offer``: ``currency`` must be the marketplace's, ``our_price[0].schedule[0].value_with_tax``
  a number above 0, ``marketplace_id`` (optional) one of the feed's; a new price under half or over twice
  the current one is a WARNING (Amazon's potential pricing error) and is applied;
* ``fulfillment_availability``: ``fulfillment_channel_code`` required; ``quantity`` a whole number >= 0 and
  only for ``DEFAULT`` (Amazon manages the quantity of its own channels); ``lead_time_to_ship_max_days`` a
  whole number from 1 to 30.

DELETE of a known SKU is accepted and not modelled. Feed-level problems (not JSON, no header or messages, a
header whose ``sellerId`` is not the caller) make the feed FATAL with one issue without ``messageId``.

Issue codes: ``90220`` ("'[x]' is required but not supplied.") and ``99022`` ("... does not have enough
values") are the codes of Amazon's own example report; ``13013`` is Seller Central's "This SKU does not
exist in your Amazon inventory". Amazon publishes no code list for the others: the ``4000xxx``, ``99xxx``
and ``18xxx`` values below are plausible codes chosen for the emulator.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from amazon_emulator.apis._listing_changes import MERCHANT, FeedChanges, ListingChange
from amazon_emulator.apis._reports_catalog import Listing
from amazon_emulator.data.marketplaces import MARKETPLACES

OPERATIONS = ("UPDATE", "PARTIAL_UPDATE", "DELETE", "PATCH")
PATCH_OPS = ("add", "replace", "merge")
PRICE = "purchasable_offer"
AVAILABILITY = "fulfillment_availability"
SUPPORTED_ATTRIBUTES = (PRICE, AVAILABILITY)

FEED_INVALID = "4000000"  # chosen: the document is not a listings feed
MESSAGE_INVALID = "4000001"  # chosen: a message that is not a listings message (schema)
DUPLICATE_MESSAGE = "4000002"  # chosen
REQUIRED = "90220"  # Amazon's example report
NOT_ENOUGH_VALUES = "99022"  # Amazon's example report
UNKNOWN_SKU = "13013"  # Seller Central error code explanations
INVALID_VALUE = "99010"  # chosen
WRONG_CURRENCY = "99011"  # chosen
UNSUPPORTED_ATTRIBUTE = "99012"  # chosen
UNSUPPORTED_OPERATION = "99013"  # chosen
CHANNEL_QUANTITY = "99014"  # chosen
PRICE_WARNING = "18206"  # chosen: Amazon's "potential pricing error"
PRICE_WARNING_FACTOR = 2.0
MAX_LEAD_TIME_DAYS = 30

# (marketplace id, SKU) -> the listing as it is now, or None when the seller has no such SKU
ListingLookup = Callable[[str, str], Listing | None]


@dataclass(frozen=True)
class FeedContext:
    seller_id: str
    feed_id: str
    marketplace_ids: list[str]
    listing: ListingLookup


@dataclass
class _Message:
    """The issues and changes of one message while it is checked."""

    message_id: int
    sku: str | None
    issues: list[dict[str, Any]] = field(default_factory=list)
    changes: FeedChanges = field(default_factory=dict)

    def issue(self, code: str, message: str, attribute: str | None = None, severity: str = "ERROR") -> None:
        issue: dict[str, Any] = {"messageId": self.message_id}
        if self.sku:
            issue["sku"] = self.sku
        issue.update({"code": code, "severity": severity, "message": message})
        if attribute:
            issue["attributeName"] = attribute
        self.issues.append(issue)

    def change(self, marketplace_id: str, change: ListingChange) -> None:
        assert self.sku is not None
        skus = self.changes.setdefault(marketplace_id, {})
        old = skus.get(self.sku)
        skus[self.sku] = change if old is None else old.then(change)

    @property
    def invalid(self) -> bool:
        return any(i["severity"] == "ERROR" for i in self.issues)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _shown(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, str) else value


def _required(msg: _Message, name: str) -> None:
    msg.issue(REQUIRED, f"'{name}' is required but not supplied.", name)


def _price(msg: _Message, ctx: FeedContext, entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        markets = ctx.marketplace_ids
        market = entry.get("marketplace_id")
        if market is not None:
            if market not in ctx.marketplace_ids:
                msg.issue(
                    INVALID_VALUE,
                    f"The value '{_shown(market)}' provided for 'purchasable_offer.marketplace_id' is "
                    "invalid. It must be one of the feed's marketplaceIds "
                    f"({', '.join(ctx.marketplace_ids)}).",
                    PRICE,
                )
                continue
            markets = [market]
        prices = entry.get("our_price")
        schedule = prices[0].get("schedule") if isinstance(prices, list) and prices else None
        slot = schedule[0] if isinstance(schedule, list) and schedule else None
        if not isinstance(slot, dict) or "value_with_tax" not in slot:
            msg.issue(
                NOT_ENOUGH_VALUES,
                "The field 'our_price' for the attribute 'purchasable_offer' does not have enough values. "
                "The required minimum is '1' value(s).",
                PRICE,
            )
            continue
        value = slot["value_with_tax"]
        if not _number(value) or value <= 0:
            msg.issue(
                INVALID_VALUE,
                f"The value '{_shown(value)}' provided for 'purchasable_offer.our_price' is invalid. "
                "It must be a number greater than 0.",
                PRICE,
            )
            continue
        currency = entry.get("currency")
        if not isinstance(currency, str) or not currency:
            _required(msg, "purchasable_offer.currency")
            continue
        wrong = [m for m in markets if MARKETPLACES[m].currency != currency]
        for m in wrong:
            place = MARKETPLACES[m]
            msg.issue(
                WRONG_CURRENCY,
                f"The currency '{currency}' provided for 'purchasable_offer' is not valid for marketplace "
                f"{m} ({place.name}). Provide the price in {place.currency}.",
                PRICE,
            )
        if wrong:
            continue
        for m in markets:
            current = ctx.listing(m, msg.sku or "")
            if (
                current is not None
                and current.price > 0
                and not (
                    current.price / PRICE_WARNING_FACTOR <= value <= current.price * PRICE_WARNING_FACTOR
                )
            ):
                msg.issue(
                    PRICE_WARNING,
                    f"The price {value:.2f} {currency} is far from the current price {current.price:.2f} "
                    f"{currency} in marketplace {m} (less than half or more than twice). Check that it is "
                    "not a pricing error: the offer was updated.",
                    PRICE,
                    severity="WARNING",
                )
            msg.change(m, ListingChange(price=round(float(value), 2)))


def _availability(msg: _Message, ctx: FeedContext, entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        channel = entry.get("fulfillment_channel_code")
        if not isinstance(channel, str) or not channel:
            _required(msg, "fulfillment_availability.fulfillment_channel_code")
            continue
        quantity, lead = entry.get("quantity"), entry.get("lead_time_to_ship_max_days")
        ok = True
        if quantity is not None and channel != MERCHANT:
            ok = False
            msg.issue(
                CHANNEL_QUANTITY,
                f"The quantity cannot be set for fulfillment channel '{channel}': Amazon manages the "
                f"quantity of offers it fulfils. Use fulfillment_channel_code '{MERCHANT}'.",
                AVAILABILITY,
            )
        elif quantity is not None and (not _whole(quantity) or quantity < 0):
            ok = False
            msg.issue(
                INVALID_VALUE,
                f"The value '{_shown(quantity)}' provided for 'fulfillment_availability.quantity' is "
                "invalid. It must be a whole number greater than or equal to 0.",
                AVAILABILITY,
            )
        if lead is not None and (not _whole(lead) or not 1 <= lead <= MAX_LEAD_TIME_DAYS):
            ok = False
            msg.issue(
                INVALID_VALUE,
                f"The value '{_shown(lead)}' provided for "
                "'fulfillment_availability.lead_time_to_ship_max_days' "
                f"is invalid. It must be a whole number from 1 to {MAX_LEAD_TIME_DAYS}.",
                AVAILABILITY,
            )
        if ok and (quantity is not None or lead is not None):
            change = ListingChange(
                quantity=quantity,
                handling_time=lead,
                fulfillment_channel=MERCHANT if quantity is not None else None,
            )
            for m in ctx.marketplace_ids:
                msg.change(m, change)


def _attribute(msg: _Message, ctx: FeedContext, name: str, value: Any) -> None:
    """Check (and record the changes of) the value of one supported attribute."""
    if not isinstance(value, list) or not value:
        msg.issue(
            NOT_ENOUGH_VALUES,
            f"The field 'value' for the attribute '{name}' does not have enough values. "
            "The required minimum is '1' value(s).",
            name,
        )
        return
    entries = [v for v in value if isinstance(v, dict)]
    if len(entries) != len(value):
        msg.issue(MESSAGE_INVALID, f"The values of the attribute '{name}' must be JSON objects.", name)
        return
    (_price if name == PRICE else _availability)(msg, ctx, entries)


def _patches(msg: _Message, ctx: FeedContext, patches: list[Any], product_type: str) -> None:
    for patch in patches:
        if not isinstance(patch, dict) or not isinstance(patch.get("path"), str):
            msg.issue(MESSAGE_INVALID, "Every patch must be an object with 'op' and 'path'.", "patches")
            continue
        path, op = patch["path"], patch.get("op")
        name = path.removeprefix("/attributes/")
        if not path.startswith("/attributes/") or not name or "/" in name:
            msg.issue(
                INVALID_VALUE,
                f"The path '{path}' is invalid. A patch path must be '/attributes/{{attribute name}}'.",
                "patches",
            )
        elif name not in SUPPORTED_ATTRIBUTES:
            msg.issue(
                UNSUPPORTED_ATTRIBUTE,
                f"The attribute '{name}' is not supported for product type '{product_type}' in this "
                f"marketplace. Supported attributes: {', '.join(SUPPORTED_ATTRIBUTES)}.",
                name,
            )
        elif op not in PATCH_OPS:
            msg.issue(
                UNSUPPORTED_OPERATION,
                f"The operation '{_shown(op)}' is not supported for the attribute '{name}'. Use one of "
                f"{', '.join(PATCH_OPS)}.",
                name,
            )
        else:
            _attribute(msg, ctx, name, patch.get("value"))


def _check_message(position: int, raw: Any, ctx: FeedContext, seen: set[int]) -> _Message:
    if not isinstance(raw, dict):
        msg = _Message(position, None)
        msg.issue(MESSAGE_INVALID, "The message is not a JSON object.")
        return msg
    message_id, sku = raw.get("messageId"), raw.get("sku")
    if not isinstance(message_id, int) or isinstance(message_id, bool) or message_id < 1:
        msg = _Message(position, sku if isinstance(sku, str) and sku else None)
        msg.issue(
            MESSAGE_INVALID, "'messageId' is required and must be a whole number of 1 or more.", "messageId"
        )
        return msg
    msg = _Message(message_id, sku if isinstance(sku, str) and sku.strip() else None)
    if message_id in seen:
        msg.issue(
            DUPLICATE_MESSAGE, f"The messageId {message_id} is used by an earlier message of this feed."
        )
        return msg
    seen.add(message_id)
    operation = raw.get("operationType")
    if msg.sku is None:
        _required(msg, "sku")
    if operation not in OPERATIONS:
        msg.issue(MESSAGE_INVALID, f"operationType must be one of {', '.join(OPERATIONS)}.", "operationType")
    product_type = raw.get("productType")
    if operation in ("UPDATE", "PARTIAL_UPDATE", "PATCH") and not (
        isinstance(product_type, str) and product_type
    ):
        _required(msg, "productType")
    attributes, patches = raw.get("attributes"), raw.get("patches")
    if operation in ("UPDATE", "PARTIAL_UPDATE") and not (isinstance(attributes, dict) and attributes):
        _required(msg, "attributes")
    if operation == "PATCH" and not (isinstance(patches, list) and patches):
        _required(msg, "patches")
    if msg.invalid:
        return msg
    assert msg.sku is not None
    missing = [m for m in ctx.marketplace_ids if ctx.listing(m, msg.sku) is None]
    for m in missing:
        msg.issue(
            UNKNOWN_SKU,
            f"The SKU '{msg.sku}' does not exist in your Amazon inventory in marketplace {m}, so this "
            "message could not be processed. Create the listing first.",
            "sku",
        )
    if missing:
        return msg
    if operation == "PATCH":
        assert isinstance(patches, list)
        _patches(msg, ctx, patches, str(product_type))
    elif operation in ("UPDATE", "PARTIAL_UPDATE"):
        assert isinstance(attributes, dict)
        for name in SUPPORTED_ATTRIBUTES:
            if name in attributes:
                _attribute(msg, ctx, name, attributes[name])
    return msg


def _fatal(header: dict[str, Any], message: str) -> tuple[bool, dict[str, Any], FeedChanges]:
    report = {
        "header": header,
        "issues": [{"code": FEED_INVALID, "severity": "ERROR", "message": message}],
        "summary": {"errors": 1, "warnings": 0, "messagesProcessed": 0, "messagesAccepted": 0,
                    "messagesInvalid": 0},
    }  # fmt: skip
    return False, report, {}


def process_listings_feed(text: str, ctx: FeedContext) -> tuple[bool, dict[str, Any], FeedChanges]:
    """(ok, processing report, changes of the accepted messages); ``ok`` False: the feed is FATAL."""
    header = {"sellerId": ctx.seller_id, "version": "2.0", "feedId": ctx.feed_id}
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return _fatal(header, f"The feed is not valid JSON: {exc.msg} at line {exc.lineno}.")
    if not (
        isinstance(document, dict)
        and isinstance(document.get("header"), dict)
        and isinstance(document.get("messages"), list)
    ):
        return _fatal(header, "The feed must be a JSON object with a header and a messages array.")
    seller = document["header"].get("sellerId")
    if seller != ctx.seller_id:
        return _fatal(
            header,
            f"The sellerId '{_shown(seller)}' in the feed header is not the selling partner that submitted "
            "the feed.",
        )
    issues: list[dict[str, Any]] = []
    changes: FeedChanges = {}
    invalid = 0
    seen: set[int] = set()
    messages = document["messages"]
    for position, raw in enumerate(messages, start=1):
        msg = _check_message(position, raw, ctx, seen)
        issues.extend(msg.issues)
        if msg.invalid:
            invalid += 1
            continue
        for market, skus in msg.changes.items():
            target = changes.setdefault(market, {})
            for sku, change in skus.items():
                old = target.get(sku)
                target[sku] = change if old is None else old.then(change)
    errors = sum(i["severity"] == "ERROR" for i in issues)
    report = {
        "header": header,
        "issues": issues,
        "summary": {
            "errors": errors,
            "warnings": sum(i["severity"] == "WARNING" for i in issues),
            "messagesProcessed": len(messages),
            "messagesAccepted": len(messages) - invalid,
            "messagesInvalid": invalid,
        },
    }
    return True, report, changes
