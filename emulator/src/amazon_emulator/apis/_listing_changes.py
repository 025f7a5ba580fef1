"""Price, quantity and handling-time changes that JSON_LISTINGS_FEED feeds made to a seller's listings.

A feed is checked when createFeed is called, but Amazon applies its accepted messages only when processing
ends: :func:`schedule` keeps the feed's changes with its job, and :func:`settle` applies the changes of every
feed that reached ``DONE`` since the last look (in the order the feeds finished; a cancelled feed never
applies). Everything that reads listings (createReport of the listings and inventory reports, the admin
listings route, the next feed's checks) settles first, so no background work is needed.

The applied changes are one map per (seller, marketplace): SKU -> :class:`ListingChange`. The map is
replaced, never mutated, when a feed applies, so a report created now keeps the map it saw (its document is
generated again on every download and must not change afterwards) without copying it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from amazon_emulator.apis._jobs import DONE, Job
from amazon_emulator.state import EmulatorState

MERCHANT = "DEFAULT"  # Amazon's fulfillment channel code of merchant-fulfilled offers
NO_CHANGES: Mapping[str, ListingChange] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class ListingChange:
    """What a feed set on one SKU (``None``: unchanged)."""

    price: float | None = None
    quantity: int | None = None
    handling_time: int | None = None
    # A quantity sent for channel DEFAULT makes the offer merchant-fulfilled, as on Amazon.
    fulfillment_channel: str | None = None

    def then(self, newer: ListingChange) -> ListingChange:
        """This change followed by ``newer`` (its set fields win)."""
        return replace(
            self,
            **{
                name: getattr(newer, name)
                for name in ("price", "quantity", "handling_time", "fulfillment_channel")
                if getattr(newer, name) is not None
            },
        )


# marketplace id -> SKU -> change, for one feed
FeedChanges = dict[str, dict[str, ListingChange]]


@dataclass
class _Pending:
    job: Job
    changes: FeedChanges


@dataclass
class ListingChanges:
    applied: dict[tuple[str, str], Mapping[str, ListingChange]] = field(default_factory=dict)
    pending: list[_Pending] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _store(state: EmulatorState) -> ListingChanges:
    return state.extension("listing_changes", ListingChanges)


def schedule(state: EmulatorState, job: Job, changes: FeedChanges) -> None:
    """Apply ``changes`` when ``job`` (a feed) reaches DONE."""
    if any(changes.values()):
        store = _store(state)
        with store.lock:
            store.pending.append(_Pending(job, changes))


def settle(state: EmulatorState) -> None:
    """Apply the changes of every feed that finished DONE by now (cancelled ones are dropped)."""
    store = _store(state)
    now = state.clock.time()
    with store.lock:
        if not store.pending:
            return
        finished = [p for p in store.pending if p.job.finished_at(now) is not None]
        if not finished:
            return
        store.pending = [p for p in store.pending if p.job.finished_at(now) is None]
        finished.sort(key=lambda p: (p.job.finishes, int(p.job.job_id)))
        for entry in finished:
            if entry.job.status(now) != DONE:
                continue
            for marketplace_id, skus in entry.changes.items():
                key = (entry.job.seller_id, marketplace_id)
                merged = dict(store.applied.get(key, NO_CHANGES))
                for sku, change in skus.items():
                    old = merged.get(sku)
                    merged[sku] = change if old is None else old.then(change)
                store.applied[key] = MappingProxyType(merged)


def changes_for(state: EmulatorState, seller_id: str, marketplace_id: str) -> Mapping[str, ListingChange]:
    """The changes applied so far to the seller's listings in ``marketplace_id`` (settled first)."""
    settle(state)
    store = _store(state)
    with store.lock:
        return store.applied.get((seller_id, marketplace_id), NO_CHANGES)
