"""Admin routes for Reports and Data Kiosk (tests, demos, benchmarks), under ``/_emulator``.

* ``POST /_emulator/sellers/{id}/report-outcomes`` ``{"api": "reports"|"datakiosk"|"ads", "outcome":
  "CANCELLED"|"FATAL"|"FAILED", "count": 1, "report_type": null}``: the next ``count`` reports (or queries)
  of the seller, of ``report_type`` when given (a Reports API report type or an Ads ``reportTypeId``), end
  that way; FATAL ones carry an error document. Ads reports (any profile of the seller) only end FAILED.
  Answers ``{"api", "outcome", "count", "report_type", "pending"}`` (``pending``: forced outcomes still queued
  for that API).
* ``POST /_emulator/sellers/{id}/listings`` ``{"count": N}``: the listings and inventory reports created from
  now on list N SKUs (the catalogue's, then synthetic ones), streamed. Answers ``{"count": N}``. These SKUs
  are also the ones a JSON_LISTINGS_FEED may change; ``GET /_emulator/sellers/{id}/listings`` (in
  :mod:`.feeds_admin`) shows them with the changes applied.
* ``GET /_emulator/documents/{documentId}/content``: the document's decompressed bytes, exactly what its URL
  serves once un-gzipped, with the document's content type.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from amazon_emulator.apis._documents import store
from amazon_emulator.apis._outcomes import Forced, force, set_listing_count
from amazon_emulator.state import get_state

router = APIRouter(prefix="/_emulator", tags=["emulator admin"])


class OutcomeIn(BaseModel):
    api: Literal["reports", "datakiosk", "ads"] = "reports"
    outcome: Literal["CANCELLED", "FATAL", "FAILED"]
    count: int = Field(1, ge=1, le=10_000)
    report_type: str | None = None


class ListingsIn(BaseModel):
    count: int = Field(ge=0, le=10_000_000)


@router.post("/sellers/{selling_partner_id}/report-outcomes")
async def force_outcome(selling_partner_id: str, body: OutcomeIn, request: Request) -> dict[str, object]:
    """The next ``count`` matching jobs of the seller end ``outcome``."""
    state = get_state(request)
    if state.seller(selling_partner_id) is None:
        raise HTTPException(404, "unknown seller")
    if body.api == "datakiosk" and body.report_type is not None:
        raise HTTPException(422, "report_type applies to the Reports API and the Ads API only")
    if (body.api == "ads") != (body.outcome == "FAILED"):
        raise HTTPException(422, "Ads reports end FAILED; Reports and Data Kiosk jobs end CANCELLED or FATAL")
    entry = Forced(body.api, body.outcome, body.count, body.report_type)
    pending = force(state, selling_partner_id, entry)
    return {**body.model_dump(), "pending": pending}


@router.post("/sellers/{selling_partner_id}/listings")
async def set_listings(selling_partner_id: str, body: ListingsIn, request: Request) -> dict[str, int]:
    """How many SKUs the seller's listings and inventory reports list from now on."""
    state = get_state(request)
    if state.seller(selling_partner_id) is None:
        raise HTTPException(404, "unknown seller")
    set_listing_count(state, selling_partner_id, body.count)
    return {"count": body.count}


@router.get("/documents/{document_id}/content")
async def document_content(document_id: str, request: Request) -> StreamingResponse:
    """The decompressed bytes of a stored document (report, Data Kiosk or feed)."""
    doc = store(get_state(request)).get(document_id)
    if doc is None:
        raise HTTPException(404, "unknown document")
    return StreamingResponse(doc.raw_chunks(), media_type=doc.content_type)
