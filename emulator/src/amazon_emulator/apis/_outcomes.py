"""Forced job outcomes and listing counts, set through the admin API (tests and demos).

``POST /_emulator/sellers/{id}/report-outcomes`` queues "the next ``count`` reports (or Data Kiosk queries) of
this seller, optionally of one report type, end CANCELLED / FATAL" (Ads reports: FAILED); :func:`take`
consumes one when a job is created. ``POST /_emulator/sellers/{id}/listings`` sets how many SKUs the listings
and inventory reports list (:func:`listing_count`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from amazon_emulator.state import EmulatorState


@dataclass
class Forced:
    api: str  # "reports" | "datakiosk" | "ads"
    outcome: str  # "CANCELLED" | "FATAL" (reports, datakiosk) | "FAILED" (ads)
    remaining: int
    report_type: str | None = None


@dataclass
class Overrides:
    forced: dict[str, list[Forced]] = field(default_factory=dict)
    listings: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def overrides(state: EmulatorState) -> Overrides:
    return state.extension("report_overrides", Overrides)


def force(state: EmulatorState, seller_id: str, entry: Forced) -> int:
    """Queue ``entry``; returns how many forced outcomes the seller has pending for that API."""
    store = overrides(state)
    with store.lock:
        queue = store.forced.setdefault(seller_id, [])
        queue.append(entry)
        return sum(f.remaining for f in queue if f.api == entry.api)


def take(state: EmulatorState, seller_id: str, api: str, report_type: str | None = None) -> str | None:
    """The forced outcome of the job being created, if one is queued (first queued, first used)."""
    store = overrides(state)
    with store.lock:
        for entry in store.forced.get(seller_id, []):
            if entry.api != api or entry.remaining <= 0:
                continue
            if entry.report_type is not None and entry.report_type != report_type:
                continue
            entry.remaining -= 1
            return entry.outcome
    return None


def set_listing_count(state: EmulatorState, seller_id: str, count: int) -> None:
    store = overrides(state)
    with store.lock:
        store.listings[seller_id] = count


def listing_count(state: EmulatorState, seller_id: str) -> int | None:
    store = overrides(state)
    with store.lock:
        return store.listings.get(seller_id)
