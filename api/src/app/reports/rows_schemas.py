"""Rows API shapes: a page of a report type's parsed rows with the columns that describe them.

Values are JSON: money, percentages and other decimals as exact decimal strings, dates ISO-8601,
times ISO-8601 UTC. A money column's currency is the row's `currency` column.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class RowColumn(BaseModel):
    key: str
    label: str
    type: Literal["text", "number", "money", "date", "datetime", "percent"]


class ReportRowsPage(BaseModel):
    report_type: str
    table: str = Field(description="Where the rows are kept, e.g. report_sales_traffic_by_date")
    columns: list[RowColumn]
    rows: list[dict[str, Any]] = Field(
        description="One object per row, keyed by the columns' keys (and `id`)"
    )
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last")
