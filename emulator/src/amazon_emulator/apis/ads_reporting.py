"""Ads API reporting v3: ``POST /reporting/reports``, ``GET`` and ``DELETE /reporting/reports/{reportId}``,
and the pre-signed download URL of a finished report.

* Create accepts ``application/vnd.createasyncreportrequest.v3+json`` and plain ``application/json`` (Amazon
  accepts both; other types answer 415), validates per report type (:mod:`._ads_report_types`) and answers 200
  with the ``AsyncReport`` in status PENDING. Report ids are UUID strings, as in the OfflineReport model.
* An identical request (same profile, dates and configuration) while one is PENDING or PROCESSING answers 425
  ``{"code": "425", "detail": "The Request is a duplicate of : <reportId>"}``.
* Status is computed from timestamps: PENDING for the first third of the processing time, then PROCESSING,
  then COMPLETED (or FAILED: for a share set by ``extra["ads_report_failure_rate"]``, and for the next reports
  of the seller forced by ``POST /_emulator/sellers/{id}/report-outcomes`` ``{"api": "ads", "outcome":
  "FAILED"}``). The processing time is ``extra["ads_report_processing_seconds"]`` Amazon seconds (default
  30), scaled by the time scale.
* A COMPLETED report carries ``url`` (on the public base URL like every document URL, signed, valid 3600
  Amazon seconds from that GET, scaled), ``urlExpiresAt``, ``fileSize`` and ``generatedAt``; the URL serves
  the GZIP JSON array with no Amazon headers. ``urlExpiresAt`` says when it really expires: ``X-Amz-Date`` +
  ``X-Amz-Expires`` + 1 s, with ``X-Amz-Expires`` in real seconds (3599 at time scale 1, 59 at 60, never
  below 1).
* DELETE cancels a PENDING report (200 ``{"code": "200", "detail": "Report deleted", "reportId"}``).
* Throttling, per (application, advertiser): create 1 per 60 Amazon seconds with a burst of 10, get 5/s burst
  20, delete 1/s burst 10 (Amazon publishes no figures: its reporting limits are dynamic). 429 carries
  ``Retry-After`` in real seconds.
"""

from __future__ import annotations

import calendar
import gzip
import hashlib
import hmac
import json
import random
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from amazon_emulator.apis._ads_common import (
    AdsError,
    account_for,
    find_profile,
    gate,
    install_error_handler,
    json_body,
    media_type,
    store,
)
from amazon_emulator.apis._ads_report_rows import build_rows
from amazon_emulator.apis._ads_report_types import ReportRequest, validate
from amazon_emulator.apis._documents import public_base
from amazon_emulator.apis._outcomes import take
from amazon_emulator.auth import set_operation
from amazon_emulator.clock import iso_ms
from amazon_emulator.state import EmulatorState, get_state
from amazon_emulator.usage_plans import register_plan

router = APIRouter(tags=["Ads API: Reporting v3"])

register_plan("ads.createAsyncReport", 1 / 60, 10)
register_plan("ads.getAsyncReport", 5.0, 20)
register_plan("ads.deleteAsyncReport", 1.0, 10)

CREATE_TYPES = ("application/vnd.createasyncreportrequest.v3+json", "application/json")
CREATE_RESPONSE = "application/vnd.createasyncreportresponse.v3+json"
GET_RESPONSE = "application/vnd.getasyncreportresponse.v3+json"
DELETE_RESPONSE = "application/vnd.deleteasyncreportresponse.v3+json"
URL_LIFETIME = 3600  # Amazon seconds ("defaults to 3600 seconds")
DEFAULT_PROCESSING = 30.0
FAILURE_REASON = "Report generation failed due to an internal error. Please retry"
DOWNLOAD_PREFIX = "/offline-report-storage"


@dataclass
class Report:
    report_id: str
    profile_id: int
    request: ReportRequest
    created: float
    processing_from: float
    ready_at: float
    failed: bool
    cancelled: bool = False
    content: bytes | None = None

    def status(self, now: float) -> str:
        if now < self.processing_from:
            return "PENDING"
        if now < self.ready_at:
            return "PROCESSING"
        return "FAILED" if self.failed else "COMPLETED"

    def updated(self, now: float) -> float:
        if now < self.processing_from:
            return self.created
        return self.processing_from if now < self.ready_at else self.ready_at


def _signing_key(state: EmulatorState) -> bytes:
    return state.extension("ads_url_key", lambda: secrets.token_bytes(32))


def _signature(state: EmulatorState, report_id: str, amz_date: str, expires: str) -> str:
    message = f"{report_id}\n{amz_date}\n{expires}".encode()
    return hmac.new(_signing_key(state), message, hashlib.sha256).hexdigest()


def _content(state: EmulatorState, report: Report) -> bytes:
    if report.content is None:
        found = find_profile(state, report.profile_id)
        rows: list[dict[str, Any]] = []
        if found is not None:
            seller, profile = found
            account = account_for(state, seller, profile)
            days = store(state).metrics.days(account, seller, report.request.start, report.request.end,
                                             report.ready_at)  # fmt: skip
            rows = build_rows(report.request, account, days)
        report.content = gzip.compress(json.dumps(rows, separators=(",", ":")).encode(), mtime=0)
    return report.content


def _body(state: EmulatorState, request: Request, report: Report) -> dict[str, Any]:
    now = state.clock.time()
    status = report.status(now)
    body: dict[str, Any] = {
        "configuration": report.request.configuration,
        "createdAt": iso_ms(report.created),
        "endDate": report.request.end.isoformat(),
        "reportId": report.report_id,
        "startDate": report.request.start.isoformat(),
        "status": status,
        "updatedAt": iso_ms(report.updated(now)),
    }
    if report.request.name is not None:
        body["name"] = report.request.name
    if status == "FAILED":
        body["failureReason"] = FAILURE_REASON
    elif status == "COMPLETED":
        content = _content(state, report)
        # As Amazon's example: X-Amz-Expires one second short of the lifetime, urlExpiresAt at its end.
        expires = max(1, state.clock.announced_seconds(URL_LIFETIME) - 1)
        amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(int(now)))
        signature = _signature(state, report.report_id, amz_date, str(expires))
        base = public_base(state, request)
        body["fileSize"] = len(content)
        body["generatedAt"] = iso_ms(report.ready_at)
        body["url"] = (
            f"{base}{DOWNLOAD_PREFIX}/{report.report_id}/report-{report.report_id}.json.gz"
            f"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={amz_date}&X-Amz-SignedHeaders=host"
            f"&X-Amz-Expires={expires}&X-Amz-Signature={signature}"
        )
        body["urlExpiresAt"] = iso_ms(int(now) + expires + 1)
    return body


def _find(state: EmulatorState, profile_id: int, report_id: str) -> Report:
    report = store(state).reports.get(report_id)
    if not isinstance(report, Report) or report.profile_id != profile_id or report.cancelled:
        raise AdsError("reporting", 404, "Not Found")
    return report


def _number(value: object, default: float) -> float:
    return float(value) if isinstance(value, int | float | str) else default


@router.post("/reporting/reports")
async def create_report(request: Request) -> JSONResponse:
    caller = await gate(request, "reporting", "ads.createAsyncReport")
    _, profile = caller.scoped()
    if media_type(request) not in CREATE_TYPES:
        raise AdsError("reporting", 415, "Unsupported Media Type")
    state = get_state(request)
    body = await json_body(request, "reporting")
    now = state.clock.time()
    wanted = validate(body, profile.local_date(now))
    extra = state.config.extra
    processing = state.clock.real_duration(
        _number(extra.get("ads_report_processing_seconds"), DEFAULT_PROCESSING)
    )
    failure_rate = _number(extra.get("ads_report_failure_rate"), 0.0)
    reports = store(state).reports
    with state.lock:
        for other in reports.values():
            if (
                other.profile_id == profile.profile_id
                and not other.cancelled
                and other.status(now) in ("PENDING", "PROCESSING")
                and other.request.dedupe_key() == wanted.dedupe_key()
            ):
                raise AdsError("reporting", 425, f"The Request is a duplicate of : {other.report_id}")
        bits = random.Random(f"{state.config.seed}:{len(reports)}:{now}").getrandbits(128)
        report_id = str(uuid.UUID(int=bits, version=4))
        forced = take(state, profile.seller_id, "ads", wanted.report_type.report_type_id)
        failed = forced == "FAILED" or random.Random(report_id).random() < failure_rate
        report = Report(
            report_id, profile.profile_id, wanted, now, now + processing / 3, now + processing, failed
        )
        reports[report_id] = report
    return JSONResponse(_body(state, request, report), media_type=CREATE_RESPONSE)


@router.get("/reporting/reports/{reportId}")
async def get_report(reportId: str, request: Request) -> JSONResponse:
    caller = await gate(request, "reporting", "ads.getAsyncReport")
    state = get_state(request)
    report = _find(state, caller.scoped()[1].profile_id, reportId)
    return JSONResponse(_body(state, request, report), media_type=GET_RESPONSE)


@router.delete("/reporting/reports/{reportId}")
async def delete_report(reportId: str, request: Request) -> JSONResponse:
    caller = await gate(request, "reporting", "ads.deleteAsyncReport")
    state = get_state(request)
    report = _find(state, caller.scoped()[1].profile_id, reportId)
    if report.status(state.clock.time()) != "PENDING":
        raise AdsError("reporting", 400, "Only a report in PENDING status can be deleted.")
    report.cancelled = True
    body = {"code": "200", "detail": "Report deleted", "reportId": report.report_id}
    return JSONResponse(body, media_type=DELETE_RESPONSE)


def _s3_error(code: str, message: str, status: int) -> Response:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    )
    return Response(xml, status_code=status, media_type="application/xml")


@router.get(DOWNLOAD_PREFIX + "/{reportId}/{filename}", include_in_schema=False)
async def download(reportId: str, filename: str, request: Request) -> Response:
    """The pre-signed report file (no Amazon headers, as on S3)."""
    state = get_state(request)
    set_operation(request, "ads.downloadReport")
    query = request.query_params
    amz_date, expires = query.get("X-Amz-Date", ""), query.get("X-Amz-Expires", "")
    report = store(state).reports.get(reportId)
    if not isinstance(report, Report) or filename != f"report-{reportId}.json.gz" or report.content is None:
        return _s3_error("NoSuchKey", "The specified key does not exist.", 404)
    expected = _signature(state, reportId, amz_date, expires)
    if not hmac.compare_digest(expected, query.get("X-Amz-Signature", "")):
        request.state.note = "signature mismatch"
        return _s3_error("SignatureDoesNotMatch", "The request signature we calculated does not match.", 403)
    signed = calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
    if state.clock.time() > signed + int(expires) + 1:  # real seconds, as urlExpiresAt says
        request.state.note = "expired URL"
        return _s3_error("AccessDenied", "Request has expired", 403)
    return Response(report.content, media_type="application/octet-stream")


def register(app: FastAPI) -> None:
    install_error_handler(app)
    app.include_router(router)
