"""The rows read API's logic: which table a report type (and view) reads, keyset cursors, pages."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.errors import AppError, NotFound
from app.reports.catalogue import CATALOGUE
from app.reports.row_specs import ROW_TABLES, RowTable
from app.reports.rows_repository import ReportRowsRepository, RowFilters
from app.reports.rows_schemas import ReportRowsPage, RowColumn

# The views of a type with two tables (sales and traffic); the first table is the default.
VIEWS = {"by_date": 0, "by_asin": 1}


class InvalidCursor(AppError):
    status_code = 422
    code = "invalid_cursor"


class InvalidView(AppError):
    status_code = 422
    code = "invalid_view"


def table_of(report_type: str, view: str | None) -> RowTable:
    kind = CATALOGUE.get(report_type)
    if kind is None:
        raise NotFound(f"unknown report type {report_type!r}: see GET /api/reports/catalogue")
    if kind.loader is None:
        raise NotFound(
            f"{report_type} has no rows here: the orders sync loads it into the orders (GET /api/orders)",
            code="no_rows",
        )
    index = 0
    if view:
        if view not in VIEWS or VIEWS[view] >= len(kind.tables):
            views = [v for v, i in VIEWS.items() if i < len(kind.tables)] if len(kind.tables) > 1 else []
            raise InvalidView(
                f"{report_type} has no view {view!r}" + (f" (views: {', '.join(views)})" if views else "")
            )
        index = VIEWS[view]
    return ROW_TABLES[kind.tables[index]]


def encode_cursor(sort_value: Any, row_id: int) -> str:
    value = sort_value.isoformat() if isinstance(sort_value, date | datetime) else sort_value
    raw = json.dumps([value, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(spec: RowTable, cursor: str) -> tuple[Any, int]:
    """Raises InvalidCursor on anything that is not a cursor of this table's order."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        kind = spec.column(spec.sort).pg
        if kind == "date":
            value = date.fromisoformat(value)
        elif kind == "timestamptz":
            value = datetime.fromisoformat(value)
        elif not isinstance(value, str):
            raise ValueError("not a text key")
        return value, int(row_id)
    except Exception as exc:
        raise InvalidCursor("the cursor is not one this API returned for this report type") from exc


class ReportRowsService:
    def __init__(self, session: AsyncSession) -> None:
        self.reads = ReportRowsRepository(session)

    async def page(
        self, report_type: str, view: str | None, filters: RowFilters, *, cursor: str | None, limit: int
    ) -> ReportRowsPage:
        spec = table_of(report_type, view)
        after = decode_cursor(spec, cursor) if cursor else None
        rows = await self.reads.page(spec, filters, after=after, limit=limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1][spec.sort], rows[-1]["id"]) if more and rows else None
        return ReportRowsPage(
            report_type=report_type,
            table=spec.name,
            columns=[RowColumn(key=c.key, label=c.label, type=c.api) for c in spec.columns if not c.hidden],
            rows=rows,
            next_cursor=next_cursor,
        )
