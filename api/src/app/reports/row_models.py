"""The report row tables (the catalogue's parsed rows), declared from `row_specs.py`.

Built from the specs rather than written out column by column: the bulk upsert, the rows API and
the schema then cannot disagree about a column. Each table: a bigint id (keyset tie-break), the
tenant and connection (rows are deleted with the connection, so with its tenant), the spec's
columns, the natural key as a unique constraint (the bulk upsert's ON CONFLICT target),
`report_id` (the last report that wrote the row; set to NULL when the report is deleted) and
`updated_at`; one index per table for the rows API's keyset order within a tenant.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    Numeric,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.sql.elements import conv

from app.db.base import Base
from app.reports.row_specs import ROW_TABLES, RowTable, unique_columns

_TYPES: dict[str, Any] = {
    "text": Text,
    "integer": Integer,
    "bigint": BigInteger,
    "numeric": Numeric,
    "date": Date,
    "timestamptz": lambda: DateTime(timezone=True),
    "boolean": Boolean,
}

# Short names: the naming convention's would pass PostgreSQL's 63 characters for these tables.
_SHORT = {
    "report_sales_traffic_by_date": "rst_date",
    "report_sales_traffic_by_asin": "rst_asin",
    "report_fba_inventory": "rfba_inv",
    "report_listings": "rlistings",
    "report_fba_returns": "rfba_ret",
    "report_settlement_lines": "rsettle",
}


def _table(spec: RowTable) -> Table:
    short = _SHORT[spec.name]
    columns: list[Any] = [
        Column("id", BigInteger, Identity(), primary_key=True),
        Column("tenant_id", UUID(as_uuid=True), nullable=False),
        Column("connection_id", UUID(as_uuid=True), nullable=False),
        # One key to a connection of the row's own tenant (deleted with it, so with its tenant):
        # a key to tenants beside one to connections cost a lookup more per row written (a third
        # of a batch's merge in EXPLAIN ANALYZE, bench/b7_report_load.py).
        ForeignKeyConstraint(
            ["tenant_id", "connection_id"], ["connections.tenant_id", "connections.id"], ondelete="CASCADE"
        ),
    ]
    for col in spec.columns:
        # Key and sort columns are never NULL: NULLs never conflict, so a NULL in the key would
        # duplicate the row on every load; and the keyset compares the sort column.
        required = col.key in spec.key or col.key == spec.sort
        default = text("''") if required and col.pg == "text" else None
        columns.append(Column(col.key, _TYPES[col.pg](), nullable=not required, server_default=default))
    columns += [
        Column("report_id", UUID(as_uuid=True), ForeignKey("reports.id", ondelete="SET NULL")),
        Column("updated_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
        # The natural key, tenant and sort column first: the same index then serves the rows API's
        # keyset order within a tenant (one index fewer to write per row: bench/b7_report_load.py).
        UniqueConstraint(*unique_columns(spec), name=conv(f"uq_{short}_key")),
        # No index on report_id: deleting a report (rare) scans; an index would be written on every
        # row a new report rewrites, and would keep those updates from being HOT. Nor on
        # connection_id alone: its ON DELETE CASCADE (rare) scans too.
    ]
    if spec.sort not in spec.key:
        columns.append(Index(f"ix_{short}_keyset", "tenant_id", spec.sort, "id"))
    if "source" in spec.names:
        columns.append(CheckConstraint("source IN ('report', 'datakiosk')", name=conv(f"ck_{short}_source")))
    return Table(spec.name, Base.metadata, *columns)


def _model(class_name: str, spec: RowTable) -> type[Base]:
    namespace = {"__table__": _table(spec), "__tablename__": spec.name, "__module__": __name__}
    return type(class_name, (Base,), namespace)


ReportSalesTrafficByDate = _model("ReportSalesTrafficByDate", ROW_TABLES["report_sales_traffic_by_date"])
ReportSalesTrafficByAsin = _model("ReportSalesTrafficByAsin", ROW_TABLES["report_sales_traffic_by_asin"])
ReportFbaInventory = _model("ReportFbaInventory", ROW_TABLES["report_fba_inventory"])
ReportListing = _model("ReportListing", ROW_TABLES["report_listings"])
ReportFbaReturn = _model("ReportFbaReturn", ROW_TABLES["report_fba_returns"])
ReportSettlementLine = _model("ReportSettlementLine", ROW_TABLES["report_settlement_lines"])
