"""Reports API 2021-06-30: reports, schedules and report documents.

Report content is computed when the report is created (data as it is at that instant; see
:mod:`._reports_build` for what each type produces and its limits); the processing status then moves
IN_QUEUE -> IN_PROGRESS -> DONE/CANCELLED/FATAL as ``report_processing_seconds`` (Amazon seconds, scaled)
pass, computed on every read. An empty window is CANCELLED (Amazon's "no data"). Large documents are gzipped.
Settlement reports are Amazon's own: getReports creates those of closed periods (:mod:`._settlements`).
Outcomes forced through the admin API (:mod:`._outcomes`) replace the computed one.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request, Response
from fastapi.responses import JSONResponse

from amazon_emulator.apis._documents import (
    check_document_id,
    new_key,
    signed_url,
    store,
    store_content,
    store_stream,
)
from amazon_emulator.apis._jobs import (
    CANCELLED,
    DONE,
    FATAL,
    STATUSES,
    Job,
    JobStore,
    cancel,
    check_job_id,
    new_job,
    settle,
)
from amazon_emulator.apis._listing_changes import changes_for
from amazon_emulator.apis._outcomes import listing_count, take
from amazon_emulator.apis._pages import (
    csv_param,
    date_time_param,
    load_token,
    page_size,
    save_token,
    time_param,
)
from amazon_emulator.apis._report_schedules import PERIODS, due
from amazon_emulator.apis._report_schedules import router as schedules_router
from amazon_emulator.apis._reports_build import Built, build, check_options, check_type, default_start, fatal
from amazon_emulator.apis._settlements import SETTLEMENT, closed_periods, settlement_report
from amazon_emulator.auth import Caller, sp_operation
from amazon_emulator.clock import iso_ts
from amazon_emulator.data.models import Seller
from amazon_emulator.errors import SpApiError, invalid_input, not_found, unauthorized
from amazon_emulator.state import EmulatorState, get_state

router = APIRouter(tags=["Reports"])
router.include_router(schedules_router)

# Report types whose documents need a Restricted Data Token (they carry buyer PII on Amazon).
RESTRICTED_TYPES = frozenset(
    {
        "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL",
        "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_INVOICING",
        "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_TAX",
        "GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING",
        "GET_FLAT_FILE_ORDER_REPORT_DATA_SHIPPING",
        "GET_FLAT_FILE_ORDER_REPORT_DATA_INVOICING",
        "GET_FLAT_FILE_ORDER_REPORT_DATA_TAX",
        "GET_FLAT_FILE_ORDERS_RECONCILIATION_DATA_TAX",
        "GET_FLAT_FILE_ORDERS_RECONCILIATION_DATA_INVOICING",
        "GET_FLAT_FILE_ORDERS_RECONCILIATION_DATA_SHIPPING",
        "GET_ORDER_REPORT_DATA_INVOICING",
        "GET_ORDER_REPORT_DATA_TAX",
        "GET_ORDER_REPORT_DATA_SHIPPING",
        "GET_EASYSHIP_DOCUMENTS",
        "GET_GST_MTR_B2B_CUSTOM",
        "GET_VAT_TRANSACTION_DATA",
        "SC_VAT_TAX_REPORT",
    }
)
RETENTION_SECONDS = 90 * 86400.0

CreateReport = Annotated[Caller, Depends(sp_operation("reports.createReport"))]
GetReport = Annotated[Caller, Depends(sp_operation("reports.getReport"))]
GetReports = Annotated[Caller, Depends(sp_operation("reports.getReports"))]
CancelReport = Annotated[Caller, Depends(sp_operation("reports.cancelReport"))]
GetReportDocument = Annotated[Caller, Depends(sp_operation("reports.getReportDocument", rdt=True))]


def jobs(state: EmulatorState) -> JobStore:
    return state.extension("reports", lambda: JobStore("reports"))


def _event(job: Job, status: str) -> dict[str, Any]:
    return {
        "selling_partner_id": job.seller_id,
        "application_id": job.application_id,
        "reportId": job.job_id,
        "reportType": job.attrs["reportType"],
        "processingStatus": status,
        "reportDocumentId": job.document_id if status in (DONE, FATAL) else None,
    }


def settle_jobs(state: EmulatorState) -> None:
    settle(state, jobs(state), "REPORT_PROCESSING_FINISHED", _event)


def _render(job: Job, now: float) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reportId": job.job_id,
        "reportType": job.attrs["reportType"],
        "marketplaceIds": job.attrs["marketplaceIds"],
        "dataStartTime": iso_ts(job.attrs["dataStartTime"]),
        "dataEndTime": iso_ts(job.attrs["dataEndTime"]),
        "processingStatus": job.status(now),
    }
    if job.attrs.get("reportScheduleId"):
        body["reportScheduleId"] = job.attrs["reportScheduleId"]
    body.update(job.timing(now))
    document = job.visible_document(now)
    if document is not None:
        body["reportDocumentId"] = document
    return body


def _seller(state: EmulatorState, caller: Caller) -> Seller:
    seller = state.seller(caller.require_seller())
    if seller is None:
        raise unauthorized("")
    return seller


def _store_built(state: EmulatorState, built: Built, small: bool) -> str | None:
    if built.stream is not None and small:
        # The catalogue's own few hundred SKUs: store the bytes like any other report.
        built = Built(built.outcome, b"".join(built.stream()), content_type=built.content_type)
    if built.data is None and built.stream is None:
        return None
    document_id = new_key("REP")
    if built.stream is not None:
        store_stream(state, document_id, built.stream, built.content_type)
    elif built.data is not None:
        store_content(state, document_id, built.data, built.content_type)
    return document_id


def _forced(state: EmulatorState, seller: Seller, report_type: str, built: Built) -> Built:
    forced = take(state, seller.selling_partner_id, "reports", report_type)
    if forced == CANCELLED:
        return Built(CANCELLED)
    if forced == FATAL:
        return fatal(
            f"The report could not be generated (report type {report_type}). Please try again later."
        )
    return built


def create_report_job(
    state: EmulatorState, caller: Caller, spec: dict[str, Any], schedule_id: str | None = None
) -> Job:
    """Validate a createReport body and start the report (also used by schedules)."""
    seller = _seller(state, caller)
    report_type = spec.get("reportType")
    markets = spec.get("marketplaceIds")
    if not isinstance(report_type, str) or not report_type:
        raise invalid_input("reportType is required.")
    if (
        not isinstance(markets, list)
        or not 1 <= len(markets) <= 25
        or not all(isinstance(m, str) for m in markets)
    ):
        raise invalid_input("marketplaceIds must contain between 1 and 25 marketplace ids.")
    unknown = [m for m in markets if m not in seller.marketplace_ids()]
    if unknown:
        raise invalid_input(f"Invalid marketplaceIds: {', '.join(unknown)}.")
    options = spec.get("reportOptions") or {}
    if not isinstance(options, dict) or not all(isinstance(v, str) for v in options.values()):
        raise invalid_input("reportOptions must be a map of strings.")
    check_type(report_type)
    check_options(report_type, options)
    now = state.clock.time()
    end = date_time_param(spec.get("dataEndTime"), "dataEndTime")
    start = date_time_param(spec.get("dataStartTime"), "dataStartTime")
    end = now if end is None else min(end, now)
    if start is None:
        start = default_start(report_type, end)
    if start > now:
        raise invalid_input("dataStartTime must not be in the future.")
    if start > end:
        raise invalid_input("dataStartTime must be before dataEndTime.")
    count = listing_count(state, seller.selling_partner_id)
    changes = changes_for(state, seller.selling_partner_id, markets[0])
    built = build(seller, report_type, markets, start, end, options, now, count, changes)
    built = _forced(state, seller, report_type, built)
    document_id = _store_built(state, built, small=count is None)
    store_ = jobs(state)
    job_id = str(store_.next_number(50_000_000_000))
    attrs = {
        "reportType": report_type,
        "marketplaceIds": list(markets),
        "dataStartTime": start,
        "dataEndTime": end,
        "reportScheduleId": schedule_id,
    }
    job = new_job(
        state, job_id, seller.selling_partner_id, caller.application_id,
        state.config.report_processing_seconds, built.outcome, document_id, attrs,
    )  # fmt: skip
    return store_.add(job)


def _settlements(state: EmulatorState, caller: Caller) -> None:
    """Create the settlement reports of periods that closed since the seller last looked."""
    seller = _seller(state, caller)
    store_ = jobs(state)
    seen: dict[str, set[float]] = state.extension("settlement_periods", dict)
    for start, end in closed_periods(state.clock.time()):
        with store_.lock:
            done = seen.setdefault(seller.selling_partner_id, set())
            if end in done:
                continue
            done.add(end)
        data = settlement_report(seller, start, end)
        if data is None:
            continue
        document_id = new_key("REP")
        store_content(state, document_id, data, "text/tab-separated-values; charset=UTF-8")
        attrs = {
            "reportType": SETTLEMENT,
            "marketplaceIds": seller.marketplace_ids()[:1],
            "dataStartTime": start,
            "dataEndTime": end,
            "reportScheduleId": None,
        }
        job_id = str(store_.next_number(50_000_000_000))
        store_.add(
            Job(
                job_id,
                seller.selling_partner_id,
                caller.application_id,
                end,
                end,
                end,
                DONE,
                document_id,
                attrs=attrs,
            )
        )


@router.post("/reports/2021-06-30/reports", status_code=202)
async def create_report(
    request: Request, caller: CreateReport, body: Annotated[Any, Body()] = None
) -> JSONResponse:
    if not isinstance(body, dict):
        raise invalid_input("The request body must be a CreateReportSpecification.")
    state = get_state(request)
    job = create_report_job(state, caller, body)
    return JSONResponse({"reportId": job.job_id}, status_code=202)


def _own(state: EmulatorState, caller: Caller, report_id: str) -> Job:
    check_job_id(report_id, "reportId")
    job = jobs(state).jobs.get(report_id)
    if job is None or job.seller_id != caller.require_seller():
        raise not_found(f"Report {report_id} not found.")
    return job


def _run_schedules(state: EmulatorState, seller_id: str) -> None:
    for entry, fired in due(state, seller_id):
        owner = Caller("lwa", entry["application"], entry["client"], seller_id)
        spec = {
            "reportType": entry["reportType"],
            "marketplaceIds": entry["marketplaceIds"],
            "dataStartTime": iso_ts(fired - PERIODS[entry["period"]]),
            "dataEndTime": iso_ts(fired),
            "reportOptions": entry.get("reportOptions"),
        }
        try:
            create_report_job(state, owner, spec, entry["reportScheduleId"])
        except SpApiError:
            continue  # e.g. a report type the emulator does not build: the schedule just yields nothing


@router.get("/reports/2021-06-30/reports/{reportId}")
async def get_report(reportId: str, request: Request, caller: GetReport) -> dict[str, Any]:
    state = get_state(request)
    job = _own(state, caller, reportId)
    settle_jobs(state)
    return _render(job, state.clock.time())


@router.delete("/reports/2021-06-30/reports/{reportId}")
async def cancel_report(reportId: str, request: Request, caller: CancelReport) -> Response:
    state = get_state(request)
    job = _own(state, caller, reportId)
    if not cancel(job, state.clock.time()):
        raise invalid_input(f"Report {reportId} cannot be cancelled: only IN_QUEUE reports can be cancelled.")
    settle_jobs(state)
    return Response(status_code=200)


@router.get("/reports/2021-06-30/reports")
async def get_reports(request: Request, caller: GetReports) -> dict[str, Any]:
    state = get_state(request)
    seller_id = caller.require_seller()
    _run_schedules(state, seller_id)
    _settlements(state, caller)
    settle_jobs(state)
    q = request.query_params
    now = state.clock.time()
    token = q.get("nextToken")
    if token is not None:
        if len(q) > 1:
            raise invalid_input("nextToken must be the only parameter when it is sent.")
        snapshot = load_token(state, token)
        if snapshot["seller"] != seller_id:
            raise invalid_input("The nextToken is invalid or expired.")
        ids, size = snapshot["ids"], snapshot["size"]
    else:
        types = csv_param(request, "reportTypes")
        if not types:
            raise invalid_input("reportTypes or nextToken is required.")
        if len(types) > 10:
            raise invalid_input("reportTypes accepts at most 10 values.")
        statuses = csv_param(request, "processingStatuses")
        if statuses and any(s not in STATUSES for s in statuses):
            raise invalid_input(f"processingStatuses must be among {', '.join(STATUSES)}.")
        markets = csv_param(request, "marketplaceIds")
        if markets is not None and not 1 <= len(markets) <= 10:
            raise invalid_input("marketplaceIds accepts between 1 and 10 values.")
        size = page_size(q.get("pageSize"), 1, 100, 10)
        since = time_param(q.get("createdSince"), "createdSince")
        until = time_param(q.get("createdUntil"), "createdUntil")
        since = now - RETENTION_SECONDS if since is None else since
        until = now if until is None else until
        selected = [
            j
            for j in jobs(state).for_seller(seller_id)
            if j.attrs["reportType"] in types
            and (not statuses or j.status(now) in statuses)
            and (not markets or set(j.attrs["marketplaceIds"]) & set(markets))
            and since <= j.created <= until
        ]
        selected.sort(key=lambda j: (j.created, int(j.job_id)), reverse=True)
        ids = [j.job_id for j in selected]
    page, rest = ids[:size], ids[size:]
    store_ = jobs(state)
    body: dict[str, Any] = {"reports": [_render(store_.jobs[i], now) for i in page if i in store_.jobs]}
    if rest:
        body["nextToken"] = save_token(state, {"seller": seller_id, "ids": rest, "size": size})
    return body


@router.get("/reports/2021-06-30/documents/{reportDocumentId}")
async def get_report_document(
    reportDocumentId: str, request: Request, caller: GetReportDocument
) -> dict[str, Any]:
    state = get_state(request)
    seller_id = caller.require_seller()
    check_document_id(reportDocumentId, "reportDocumentId")
    now = state.clock.time()
    job = next(
        (j for j in jobs(state).for_seller(seller_id) if j.visible_document(now) == reportDocumentId), None
    )
    if job is None or store(state).get(reportDocumentId) is None:
        raise not_found(f"Report document {reportDocumentId} not found.")
    restricted = job.attrs["reportType"] in RESTRICTED_TYPES
    if caller.kind == "rdt":
        if caller.rdt is None or caller.rdt.find(request.method, request.url.path) is None:
            raise unauthorized("")
    elif restricted:
        raise SpApiError(403, "Unauthorized", "Access to requested resource is denied.",
                         "A Restricted Data Token is required for this report type.")  # fmt: skip
    doc = store(state).get(reportDocumentId)
    assert doc is not None
    encoded = request.query_params.get("enableContentEncodingUrlHeader", "").lower() == "true"
    extra = {"response-content-encoding": "gzip"} if encoded and doc.compression else None
    body: dict[str, Any] = {
        "reportDocumentId": reportDocumentId,
        "url": signed_url(state, request, reportDocumentId, extra=extra),
    }
    if doc.compression:
        body["compressionAlgorithm"] = doc.compression
    return body
