"""All SQL of the report row tables: the bulk upsert the loaders call, and the rows API's pages.

Upsert, as `orders/repository.py` does it: a batch is COPYed (binary) into a session-local
temporary table, then one `INSERT ... SELECT ... ON CONFLICT (natural key) DO UPDATE ... WHERE
<something changed>` applies it. A re-load of the same document writes nothing (`updated_at` does
not move); the same row from the other adapter (Reports API or Data Kiosk) or a later report
updates it in place. `report_id` takes part in "something changed": it names the last report that
wrote the row. Columns marked `keep_when_null` keep their stored value when the incoming one is NULL.

Reads are keyset pages over (sort column, id), tenant first, on the session's psycopg connection.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache
from typing import Any

from psycopg.rows import dict_row
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import psycopg_connection
from app.reports.row_specs import ROW_TABLES, RowTable, unique_columns

# The same for every row of a batch: parameters of the merge, not COPYed per row (three UUIDs a
# row were a tenth of the loader's CPU, dumped in Python by psycopg).
_OWNER_COLUMNS = ("tenant_id", "connection_id", "report_id")


def _staged(spec: RowTable) -> tuple[tuple[str, str], ...]:
    return tuple((c.key, c.pg) for c in spec.columns)


def _stage_name(spec: RowTable) -> str:
    return f"{spec.name}_in"


@cache
def _statements(spec: RowTable) -> tuple[str, str, str]:
    """(create the staging table, COPY into it, merge it) for `spec`."""
    staged = _staged(spec)
    stage = _stage_name(spec)
    names = [c for c, _ in staged]
    defs = ", ".join(f"{c} {t}" for c, t in staged)
    # Lives as long as the database connection, emptied at every commit.
    create = f"CREATE TEMP TABLE IF NOT EXISTS {stage} ({defs}) ON COMMIT DELETE ROWS"
    copy = f"COPY {stage} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)"
    key = unique_columns(spec)
    updatable = [c for c in spec.columns if c.key not in key]
    incoming = [
        f"COALESCE(EXCLUDED.{c.key}, {spec.name}.{c.key})" if c.keep_when_null else f"EXCLUDED.{c.key}"
        for c in updatable
    ]
    sets = ", ".join(f"{c.key} = {e}" for c, e in zip(updatable, incoming, strict=True))
    stored = ", ".join([*(f"{spec.name}.{c.key}" for c in updatable), f"{spec.name}.report_id"])
    merge = f"""
        INSERT INTO {spec.name} ({", ".join((*_OWNER_COLUMNS, *names))})
        SELECT %(tenant_id)s, %(connection_id)s, %(report_id)s, {", ".join(names)} FROM {stage}
        ON CONFLICT ({", ".join(key)}) DO UPDATE
        SET {sets}, report_id = EXCLUDED.report_id, updated_at = now()
        WHERE ({stored}) IS DISTINCT FROM ({", ".join(incoming)}, EXCLUDED.report_id)
    """
    return create, copy, merge


@dataclass(frozen=True)
class RowFilters:
    tenant_id: uuid.UUID
    connection_id: uuid.UUID | None = None
    marketplace_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    sku: str | None = None


class ReportRowsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert(
        self,
        spec: RowTable,
        tenant_id: uuid.UUID,
        connection_id: uuid.UUID,
        report_id: uuid.UUID | None,
        rows: Sequence[tuple[Any, ...]],
    ) -> int:
        """Write `rows` (tuples in `spec.columns` order, at most one per natural key) for this
        tenant and connection; returns how many rows were inserted or changed."""
        if not rows:
            return 0
        create, copy_sql, merge = _statements(spec)
        types = [t for _, t in _staged(spec)]
        driver = await psycopg_connection(self.session)
        async with driver.cursor() as cursor:
            # A batch's commit need not wait for its WAL to reach the disk: a crash can lose only
            # batches that loading the stored document again writes back (the upsert is
            # idempotent), and the report's own status commit afterwards is synchronous, which
            # flushes every earlier WAL record with it.
            await cursor.execute("SET LOCAL synchronous_commit = off")
            await cursor.execute(create)
            # Empty already after a commit (ON COMMIT DELETE ROWS); not after a savepoint. DELETE,
            # not TRUNCATE: on an empty table it costs nothing, where TRUNCATE swaps the table's
            # files (90 ms a batch, measured with bench/b7_report_load.py).
            await cursor.execute(f"DELETE FROM {_stage_name(spec)}")
            async with cursor.copy(copy_sql) as copy:
                copy.set_types(types)
                # The formatter's own write_row, in a plain loop: `await copy.write_row()` costs a
                # coroutine per row for a buffer that is sent once per 32 kB; the blocks it hands
                # back go out in order through `copy.write`, the rest when the COPY ends.
                encode = copy.formatter.write_row
                for row in rows:
                    if block := encode(row):
                        await copy.write(block)
            owner = {"tenant_id": tenant_id, "connection_id": connection_id, "report_id": report_id}
            await cursor.execute(merge, owner)
            return max(cursor.rowcount, 0)

    async def sweep_snapshot(
        self,
        spec: RowTable,
        tenant_id: uuid.UUID,
        connection_id: uuid.UUID,
        marketplace_id: str,
        report_id: uuid.UUID,
    ) -> int:
        """After a complete snapshot (inventory, listings): delete the marketplace's rows that the
        snapshot `report_id` did not list (every row it listed now names it)."""
        driver = await psycopg_connection(self.session)
        async with driver.cursor() as cursor:
            await cursor.execute(
                f"DELETE FROM {spec.name} WHERE tenant_id = %s AND connection_id = %s "
                "AND marketplace_id = %s AND report_id IS DISTINCT FROM %s",
                (tenant_id, connection_id, marketplace_id, report_id),
            )
            return max(cursor.rowcount, 0)

    async def page(
        self, spec: RowTable, filters: RowFilters, *, after: tuple[Any, int] | None, limit: int
    ) -> list[dict[str, Any]]:
        """Up to `limit` rows in the table's keyset order, strictly after `after` (sort value, id)."""
        shown = [c.key for c in spec.columns if not c.hidden]
        clauses = ["tenant_id = %(tenant_id)s"]
        params: dict[str, Any] = {"tenant_id": filters.tenant_id, "limit": limit}
        if filters.connection_id is not None:
            clauses.append("connection_id = %(connection_id)s")
            params["connection_id"] = filters.connection_id
        if filters.marketplace_id:
            clauses.append("marketplace_id = %(marketplace_id)s")
            params["marketplace_id"] = filters.marketplace_id
        if spec.date_column is not None:
            day = spec.column(spec.date_column).pg == "date"
            for name, value, op in (
                ("date_from", filters.date_from, ">="),
                ("date_to", filters.date_to, "<"),
            ):
                if value is None:
                    continue
                # date_to is inclusive: before the next day, for a date or a timestamp column.
                bound: Any = value if name == "date_from" else _next_day(value)
                clauses.append(f"{spec.date_column} {op} %({name})s")
                params[name] = bound if day else datetime.combine(bound, time.min, tzinfo=UTC)
        if filters.sku and spec.sku_columns:
            clauses.append("(" + " OR ".join(f"{c} = %(sku)s" for c in spec.sku_columns) + ")")
            params["sku"] = filters.sku
        direction = "DESC" if spec.descending else "ASC"
        if after is not None:
            op = "<" if spec.descending else ">"
            # The first condition alone is what an index on (tenant_id, sort, ...) can seek to.
            clauses.append(f"{spec.sort} {op}= %(after_sort)s")
            clauses.append(f"({spec.sort}, id) {op} (%(after_sort)s, %(after_id)s)")
            params.update(after_sort=after[0], after_id=after[1])
        sql = (
            f"SELECT id, {', '.join(shown)} FROM {spec.name} WHERE {' AND '.join(clauses)} "
            f"ORDER BY {spec.sort} {direction}, id {direction} LIMIT %(limit)s"
        )
        async with (await psycopg_connection(self.session)).cursor(row_factory=dict_row) as cursor:
            await cursor.execute(sql, params)
            return await cursor.fetchall()

    async def count(self, spec: RowTable, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> int:
        """Rows a connection has in the table (tests, the benchmark)."""
        async with (await psycopg_connection(self.session)).cursor() as cursor:
            await cursor.execute(
                f"SELECT count(*) FROM {spec.name} WHERE tenant_id = %s AND connection_id = %s",
                (tenant_id, connection_id),
            )
            found = await cursor.fetchone()
            return int(found[0]) if found else 0


def _next_day(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)


async def delete_rows_for_connection(
    session: AsyncSession, tenant_id: uuid.UUID, connection_id: uuid.UUID
) -> None:
    """Every report row table's rows of one connection (retention)."""
    for name in ROW_TABLES:
        await session.execute(
            text(f"DELETE FROM {name} WHERE tenant_id = :tenant_id AND connection_id = :connection_id"),
            {"tenant_id": tenant_id, "connection_id": connection_id},
        )
