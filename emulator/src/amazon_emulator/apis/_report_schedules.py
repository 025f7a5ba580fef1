"""Report schedules (getReportSchedules, createReportSchedule, getReportSchedule, cancelReportSchedule).

A schedule with the same report type and marketplaces replaces the existing one, as on Amazon. Scheduled
reports are created lazily: when the seller lists reports (getReports) and a schedule's
``nextReportCreationTime`` has passed, one report covering the last period is created (missed periods are
not back-filled). The period is an Amazon duration, so it is scaled like every other one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request, Response
from fastapi.responses import JSONResponse

from amazon_emulator.apis._jobs import check_job_id, first_number
from amazon_emulator.apis._pages import csv_param, time_param
from amazon_emulator.apis._reports_build import is_known
from amazon_emulator.auth import Caller, sp_operation
from amazon_emulator.clock import iso_ts
from amazon_emulator.errors import invalid_input, not_found
from amazon_emulator.state import EmulatorState, get_state

router = APIRouter(tags=["Reports"])

PERIODS = {
    "PT5M": 300, "PT15M": 900, "PT30M": 1800, "PT1H": 3600, "PT2H": 7200, "PT4H": 14400, "PT8H": 28800,
    "PT12H": 43200, "P1D": 86400, "P2D": 172800, "P3D": 259200, "PT84H": 302400, "P7D": 604800,
    "P14D": 1209600, "P15D": 1296000, "P18D": 1555200, "P30D": 2592000, "P1M": 2592000,
}  # fmt: skip

GetSchedules = Annotated[Caller, Depends(sp_operation("reports.getReportSchedules"))]
CreateSchedule = Annotated[Caller, Depends(sp_operation("reports.createReportSchedule"))]
GetSchedule = Annotated[Caller, Depends(sp_operation("reports.getReportSchedule"))]
CancelSchedule = Annotated[Caller, Depends(sp_operation("reports.cancelReportSchedule"))]


@dataclass
class Schedules:
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Ids never repeat across restarts, as reports' (`first_number`).
    counter: int = field(default_factory=first_number)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _store(state: EmulatorState) -> Schedules:
    return state.extension("report_schedules", Schedules)


_PRIVATE = ("seller", "application", "client", "next")


def _public(entry: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in entry.items() if k not in _PRIVATE}
    out["nextReportCreationTime"] = iso_ts(entry["next"])
    return out


def due(state: EmulatorState, seller_id: str) -> list[tuple[dict[str, Any], float]]:
    """Schedules of the seller whose creation time passed, with that time; moves them to their next one."""
    store = _store(state)
    now = state.clock.time()
    out = []
    with store.lock:
        for entry in store.by_id.values():
            if entry["seller"] != seller_id or entry["next"] > now:
                continue
            step = state.clock.real_duration(PERIODS[entry["period"]])
            fired = entry["next"]
            while entry["next"] <= now:
                fired = entry["next"]
                entry["next"] += step
            out.append((dict(entry), fired))
    return out


@router.get("/reports/2021-06-30/schedules")
async def get_report_schedules(request: Request, caller: GetSchedules) -> dict[str, Any]:
    seller_id = caller.require_seller()
    types = csv_param(request, "reportTypes")
    if not types or len(types) > 10:
        raise invalid_input("reportTypes must contain between 1 and 10 report types.")
    unknown = [t for t in types if not is_known(t)]
    if unknown:
        raise invalid_input(f"Invalid reportTypes: {', '.join(unknown)}.")
    found = [
        _public(e)
        for e in _store(get_state(request)).by_id.values()
        if e["seller"] == seller_id and e["reportType"] in types
    ]
    return {"reportSchedules": found}


@router.post("/reports/2021-06-30/schedules", status_code=201)
async def create_report_schedule(
    request: Request, caller: CreateSchedule, body: Annotated[Any, Body()] = None
) -> JSONResponse:
    seller_id = caller.require_seller()
    state = get_state(request)
    if not isinstance(body, dict):
        raise invalid_input("The request body must be a CreateReportScheduleSpecification.")
    report_type, markets, period = body.get("reportType"), body.get("marketplaceIds"), body.get("period")
    if not isinstance(report_type, str) or not report_type:
        raise invalid_input("reportType is required.")
    if not is_known(report_type):
        raise invalid_input(f"Invalid reportType: {report_type}.")
    if not isinstance(markets, list) or not 1 <= len(markets) <= 25:
        raise invalid_input("marketplaceIds must contain between 1 and 25 marketplace ids.")
    if period not in PERIODS:
        raise invalid_input(f"period must be one of {', '.join(PERIODS)}.")
    options = body.get("reportOptions")
    if options is not None and not isinstance(options, dict):
        raise invalid_input("reportOptions must be a map of strings.")
    first = time_param(body.get("nextReportCreationTime"), "nextReportCreationTime")
    store = _store(state)
    with store.lock:
        # Amazon replaces a schedule of the same type and marketplaces.
        for key, entry in list(store.by_id.items()):
            same = entry["reportType"] == report_type and sorted(entry["marketplaceIds"]) == sorted(markets)
            if entry["seller"] == seller_id and same:
                del store.by_id[key]
        store.counter += 1
        schedule_id = str(60_000_000_000 + store.counter)
        entry = {
            "seller": seller_id,
            "reportScheduleId": schedule_id,
            "reportType": report_type,
            "marketplaceIds": list(markets),
            "period": period,
            "application": caller.application_id,
            "client": caller.client_id,
            "next": first if first is not None else state.clock.expires_at(PERIODS[period]),
        }
        if options:
            entry["reportOptions"] = dict(options)
        store.by_id[schedule_id] = entry
    return JSONResponse({"reportScheduleId": schedule_id}, status_code=201)


def _own(request: Request, caller: Caller, schedule_id: str) -> dict[str, Any]:
    check_job_id(schedule_id, "reportScheduleId")
    entry = _store(get_state(request)).by_id.get(schedule_id)
    if entry is None or entry["seller"] != caller.require_seller():
        raise not_found(f"Report schedule {schedule_id} not found.")
    return entry


@router.get("/reports/2021-06-30/schedules/{reportScheduleId}")
async def get_report_schedule(reportScheduleId: str, request: Request, caller: GetSchedule) -> dict[str, Any]:
    return _public(_own(request, caller, reportScheduleId))


@router.delete("/reports/2021-06-30/schedules/{reportScheduleId}")
async def cancel_report_schedule(reportScheduleId: str, request: Request, caller: CancelSchedule) -> Response:
    _own(request, caller, reportScheduleId)
    store = _store(get_state(request))
    with store.lock:
        store.by_id.pop(reportScheduleId, None)
    return Response(status_code=200)
