"""Shared machinery of both Orders APIs: query parameters, date-window rules, search and pagination tokens.

Amazon's rules enforced here (400 ``InvalidInput`` otherwise):

* exactly one of created-after / last-updated-after; created-* and last-updated-* never mixed;
* a *before* value is >= its *after* value and at least two minutes before now (default: now - 2 minutes);
* an *after* value must lie before the effective *before* value;
* orders older than 24 months are never returned;
* max results per page 1..100; at most 50 marketplace ids / order ids;
* pagination tokens live 24 Amazon hours (scaled) and belong to the seller that got them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from starlette.datastructures import QueryParams

from amazon_emulator.clock import iso_ts, parse_iso
from amazon_emulator.data.activity import HISTORY_SECONDS
from amazon_emulator.data.models import Order, Seller
from amazon_emulator.errors import invalid_input
from amazon_emulator.state import EmulatorState

GENERIC_MESSAGE = "The input you have submitted is not valid. Please check your input and try again."
TWO_MINUTES = 120.0


def visible(order: Order | None, now: float) -> bool:
    """The order exists at ``now`` and is inside Amazon's two-year history."""
    return order is not None and now - HISTORY_SECONDS <= order.purchase_ts <= now


def bad(details: str, message: str = GENERIC_MESSAGE) -> Exception:
    return invalid_input(message, details)


def list_param(params: QueryParams, name: str, max_items: int | None = None) -> list[str] | None:
    """An array query parameter, sent either repeated or comma-separated (Amazon accepts both)."""
    raw = params.getlist(name)
    if not raw:
        return None
    values = [v.strip() for item in raw for v in item.split(",") if v.strip()]
    if not values:
        return None
    if max_items is not None and len(values) > max_items:
        raise bad(f"{name} accepts at most {max_items} values.")
    return values


def time_param(params: QueryParams, name: str) -> float | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return parse_iso(raw).timestamp()
    except ValueError as exc:
        raise bad(f"Invalid date-time field(s) [{name}].", "This is an invalid input") from exc


def int_param(params: QueryParams, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise bad(f"{name} must be an integer between {low} and {high}.") from exc
    if not low <= value <= high:
        raise bad(f"{name} must be between {low} and {high}.")
    return value


@dataclass
class Window:
    """The effective date window of a search (epoch seconds) and which timestamp it filters on."""

    by_update: bool
    after: float
    before: float
    before_was_given: bool


def date_window(
    params: QueryParams, now: float, names: tuple[str, str, str, str], *, check_two_minutes: bool = True
) -> Window:
    """Validate the four date parameters ``names`` = (createdAfter, createdBefore, updatedAfter,
    updatedBefore)."""
    ca_name, cb_name, ua_name, ub_name = names
    ca, cb = time_param(params, ca_name), time_param(params, cb_name)
    ua, ub = time_param(params, ua_name), time_param(params, ub_name)
    if ca is None and ua is None:
        raise bad(f"Exactly one of {ca_name} and {ua_name} is required.")
    if ca is not None and ua is not None:
        raise bad(f"{ca_name} and {ua_name} cannot both be set.")
    if ca is not None and (ub is not None):
        raise bad(f"{ub_name} cannot be set when {ca_name} is set.")
    if ua is not None and cb is not None:
        raise bad(f"{cb_name} cannot be set when {ua_name} is set.")
    by_update = ua is not None
    after = ua if by_update else ca
    before = ub if by_update else cb
    before_name = ub_name if by_update else cb_name
    after_name = ua_name if by_update else ca_name
    assert after is not None
    limit = now - TWO_MINUTES
    if before is not None:
        if check_two_minutes and before > limit:
            raise bad(f"{before_name} must be at least two minutes before the current time.")
        if before < after:
            raise bad(f"{before_name} must be equal to or after {after_name}.")
        return Window(by_update, after, before, True)
    if check_two_minutes and after > limit:
        raise bad(f"{after_name} must be earlier than two minutes before the current time.")
    return Window(by_update, after, limit, False)


@dataclass
class OrderFilter:
    """Everything a search filters on besides the date window (internal status and channel names)."""

    marketplace_ids: set[str]
    statuses: set[str] | None = None
    channels: set[str] | None = None
    payment_methods: set[str] | None = None
    buyer_email: str | None = None
    seller_order_id: str | None = None
    order_ids: set[str] | None = None
    # Further conditions an order must meet (API-specific filters).
    predicates: list[Callable[[Order], bool]] = field(default_factory=list)


def search(seller: Seller, window: Window, flt: OrderFilter, now: float) -> list[str]:
    """Ids of matching orders, sorted by the filtered timestamp (then id), as seen at ``now``."""
    oldest = now - HISTORY_SECONDS
    hits: list[tuple[float, str]] = []
    if window.by_update:
        candidates: Iterable[Order] = seller.purchased_between(max(oldest, 0.0), min(window.before, now))
    else:
        candidates = seller.purchased_between(max(window.after, oldest), min(window.before, now))
    for order in candidates:
        if order.marketplace_id not in flt.marketplace_ids:
            continue
        if flt.order_ids is not None and order.amazon_order_id not in flt.order_ids:
            continue
        if flt.channels is not None and order.fulfillment_channel not in flt.channels:
            continue
        if flt.seller_order_id is not None and order.seller_order_id != flt.seller_order_id:
            continue
        if flt.payment_methods is not None and order.payment_method not in flt.payment_methods:
            continue
        if flt.statuses is not None and order.status_at(now) not in flt.statuses:
            continue
        if flt.predicates and not all(p(order) for p in flt.predicates):
            continue
        if window.by_update:
            # Amazon filters on the order's current LastUpdateDate: an order changed again after the window
            # falls in a later window, never in two.
            updated = order.last_update_at(now)
            if updated is None or not window.after <= updated <= window.before:
                continue
            hits.append((updated, order.amazon_order_id))
        else:
            hits.append((order.purchase_ts, order.amazon_order_id))
    hits.sort()
    return [oid for _, oid in hits]


@dataclass
class Cursor:
    """A saved search: the matching ids (shared between pages), where the next page starts, and the window."""

    seller_id: str
    api: str
    ids: list[str]
    offset: int
    window: Window
    signature: tuple[tuple[str, str], ...] = ()


def save_cursor(state: EmulatorState, cursor: Cursor) -> str:
    token = secrets.token_urlsafe(36)
    now = state.clock.time()
    with state.lock:
        if len(state.page_tokens) > 5000:
            for key in [k for k, (exp, _) in state.page_tokens.items() if exp <= now]:
                del state.page_tokens[key]
        state.page_tokens[token] = (state.clock.expires_at(state.config.next_token_lifetime), cursor)
    return token


def load_cursor(state: EmulatorState, token: str, seller_id: str, api: str, name: str) -> Cursor:
    entry = state.page_tokens.get(token)
    if entry is None:
        raise bad(f"Invalid {name}.")
    expires_at, cursor = entry
    if not isinstance(cursor, Cursor) or cursor.seller_id != seller_id or cursor.api != api:
        raise bad(f"Invalid {name}.")
    if state.clock.time() >= expires_at:
        raise bad(f"The {name} has expired.")
    return cursor


def page(state: EmulatorState, cursor: Cursor, size: int) -> tuple[list[str], str | None]:
    """The ids of this page and the token of the next one (``None`` on the last page)."""
    ids = cursor.ids[cursor.offset : cursor.offset + size]
    next_offset = cursor.offset + len(ids)
    if next_offset >= len(cursor.ids):
        return ids, None
    nxt = Cursor(cursor.seller_id, cursor.api, cursor.ids, next_offset, cursor.window, cursor.signature)
    return ids, save_cursor(state, nxt)


def window_echo(window: Window) -> str:
    return iso_ts(window.before)
