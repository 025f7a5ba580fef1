"""The chaos soak's verdict, once the faults are off and the product has settled.

Each check is measured on PostgreSQL, the API or the emulator, never on the product's own logs:

* every sync row of a connection not in re-authorization finished its backfill, and a run after the
  faults stopped (nothing frozen), and none is left in error;
* exactly the revoked connections are in re-authorization, in the database and as the API lists them;
* every order and item line of every other connection equals the emulator's truth, field by field
  (`tests.sync.truth.assert_every_row_equal`, the comparison of the end-to-end tests);
* no duplicate row (connections, sync rows, orders, item lines, Amazon's OrderItemIds);
* no job stuck: no job row running or queued, and no sync row claimed, for longer than N minutes, and
  no job row running on a connection in re-authorization (it runs nothing, so nothing would finish it).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from _chaos_agency import Agency, Onboarded
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.sync.procs import CHANGE_VISIBLE_WITHIN_S
from tests.sync.truth import assert_every_row_equal


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


async def _scalar(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(text(sql), params)).scalar_one()


async def _rows(engine: AsyncEngine, sql: str, **params: Any) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(text(sql), params)).all())


async def _until(check: Callable[[], Awaitable[bool]], deadline: float) -> bool:
    while True:
        try:
            if await check():
                return True
        except Exception:  # retried until the deadline; the last try decides
            pass
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(2.0)


async def settled_checks(
    engine: AsyncEngine,
    emulator_url: str,
    agency: Agency,
    onboarded: list[Onboarded],
    revoked: set[str],
    faults_off_at: datetime,
    deadline: float,
    stuck_minutes: float,
    note: str,
) -> list[Check]:
    checks: list[Check] = []
    healthy = [o for o in onboarded if o.connection_id not in revoked]
    healthy_ids = [o.connection_id for o in healthy]

    # 1. Every sync row of the healthy connections: backfill done, a run after the faults, not in error.
    async def rows_done() -> bool:
        pending = await _scalar(
            engine,
            "SELECT count(*) FROM sync_state WHERE connection_id = ANY(:ids)"
            " AND (backfill_completed_at IS NULL OR last_success_at IS NULL OR last_success_at < :off"
            " OR status = 'error')",
            ids=[uuid.UUID(c) for c in healthy_ids],
            off=faults_off_at,
        )
        return int(pending) == 0

    ok = await _until(rows_done, deadline)
    states = await _rows(
        engine,
        "SELECT count(*), count(backfill_completed_at), count(*) FILTER (WHERE last_success_at >= :off),"
        " count(*) FILTER (WHERE status = 'error') FROM sync_state WHERE connection_id = ANY(:ids)",
        ids=[uuid.UUID(c) for c in healthy_ids],
        off=faults_off_at,
    )
    total, backfilled, ran, errors = states[0]
    checks.append(
        Check(
            "sync rows of connections not in re-authorization: backfilled, ran after the faults,"
            " none in error",
            ok and total > 0,
            f"{total} rows: {backfilled} backfilled, {ran} ran since the faults stopped, {errors} in error",
        )
    )

    # 2. Re-authorization: the revoked connections flip when the product next refreshes their token.
    async def reauth_exact() -> bool:
        found = await _rows(engine, "SELECT id::text FROM connections WHERE status = 'needs_reauth'")
        return {r[0] for r in found} == revoked

    ok = await _until(reauth_exact, deadline)
    found = await _rows(engine, "SELECT id::text, status, coalesce(last_error, '') FROM connections")
    in_reauth = sorted(r[0][:8] for r in found if r[1] == "needs_reauth")
    checks.append(
        Check(
            "re-authorization in the database: exactly the revoked connections",
            ok,
            f"revoked {sorted(c[:8] for c in revoked)}, needs_reauth {in_reauth}",
        )
    )
    shown = []
    for o in onboarded:
        if o.connection_id in revoked:
            try:
                listed = {c["id"]: c for c in await agency.connections(o.tenant_id)}
                status = listed.get(o.connection_id, {}).get("status", "absent")
            except Exception as exc:  # the API failing is this check failing
                status = f"the API failed: {str(exc)[:200]}"
            shown.append((o.connection_id[:8], status))
    checks.append(
        Check(
            "re-authorization in the API: GET /api/tenants/{id}/connections says needs_reauth",
            bool(revoked) and all(s == "needs_reauth" for _, s in shown),
            ", ".join(f"{c} {s}" for c, s in shown) or "no connection was revoked",
        )
    )

    # 3. Every row equal to the truth.
    async with httpx.AsyncClient(base_url=emulator_url, timeout=300) as amazon:
        within = max(CHANGE_VISIBLE_WITHIN_S, deadline - time.monotonic())
        try:
            results = await assert_every_row_equal(
                engine,
                amazon,
                [o.seller_id for o in healthy],
                connection_ids=[uuid.UUID(c) for c in healthy_ids],
                within=within,
                show=15,
                note=note,
            )
            orders = sum(r.orders for r in results)
            lines = sum(r.lines for r in results)
            checks.append(
                Check(
                    "every order and item line equals the emulator's truth"
                    " (connections not in re-authorization)",
                    True,
                    f"{len(results)} connections, {orders:,} orders, {lines:,} item lines compared"
                    " field by field",
                )
            )
        except AssertionError as exc:
            checks.append(
                Check("every order and item line equals the emulator's truth", False, _indent(str(exc), 40))
            )

    # 4. No duplicates.
    duplicates = {
        "connections (tenant, provider, region, seller)": "SELECT count(*) FROM (SELECT 1 FROM connections"
        " GROUP BY tenant_id, provider, region, account_id HAVING count(*) > 1) d",
        "sync rows (connection, marketplace, entity)": "SELECT count(*) FROM (SELECT 1 FROM sync_state"
        " GROUP BY connection_id, marketplace_id, entity HAVING count(*) > 1) d",
        "orders (connection, AmazonOrderId)": "SELECT count(*) FROM (SELECT 1 FROM orders"
        " GROUP BY connection_id, amazon_order_id HAVING count(*) > 1) d",
        "item lines (order, line key)": "SELECT count(*) FROM (SELECT 1 FROM order_items"
        " GROUP BY order_id, line_key HAVING count(*) > 1) d",
        "item lines (connection, OrderItemId)": "SELECT count(*) FROM (SELECT 1 FROM order_items"
        " WHERE order_item_id IS NOT NULL GROUP BY connection_id, order_item_id HAVING count(*) > 1) d",
    }
    counted = {what: int(await _scalar(engine, sql)) for what, sql in duplicates.items()}
    rows = await _rows(engine, "SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM order_items)")
    checks.append(
        Check(
            "no duplicate rows",
            not any(counted.values()),
            f"{rows[0][0]:,} orders, {rows[0][1]:,} item lines; duplicated keys: "
            + ", ".join(f"{what} {n}" for what, n in counted.items()),
        )
    )

    # 5. Nothing stuck.
    stuck_jobs = await _rows(
        engine,
        "SELECT id::text, kind, status, coalesce(started_at, created_at), connection_id::text FROM jobs"
        " WHERE status IN ('running', 'queued')"
        " AND coalesce(started_at, created_at) < now() - make_interval(secs => :s)",
        s=stuck_minutes * 60,
    )
    open_jobs = int(await _scalar(engine, "SELECT count(*) FROM jobs WHERE status IN ('running', 'queued')"))
    checks.append(
        Check(
            f"no job stuck (running or queued for more than {stuck_minutes:g} min)",
            not stuck_jobs,
            f"{open_jobs} open now, {len(stuck_jobs)} stuck"
            + "".join(
                f"\n      job {j[0][:8]} {j[1]} {j[2]} since {j[3]:%H:%M:%S}, connection {str(j[4])[:8]}"
                + (" (revoked)" if j[4] in revoked else "")
                for j in stuck_jobs[:10]
            ),
        )
    )
    # A connection in re-authorization runs nothing: a job row still running there is never finished.
    orphans = await _rows(
        engine,
        "SELECT j.id::text, j.kind, coalesce(j.started_at, j.created_at) FROM jobs j"
        " JOIN connections c ON c.id = j.connection_id"
        " WHERE c.status = 'needs_reauth' AND j.status IN ('running', 'queued')",
    )
    checks.append(
        Check(
            "no job row left running on a connection in re-authorization (nothing would ever finish it)",
            not orphans,
            f"{len(orphans)} left running"
            + "".join(f"\n      job {j[0][:8]} {j[1]} since {j[2]:%H:%M:%S}" for j in orphans[:10]),
        )
    )
    stuck_claims = int(
        await _scalar(
            engine,
            "SELECT count(*) FROM sync_state WHERE claimed_at < now() - make_interval(secs => :s)",
            s=stuck_minutes * 60,
        )
    )
    checks.append(
        Check(
            f"no sync row claimed for more than {stuck_minutes:g} min",
            stuck_claims == 0,
            f"{stuck_claims} stuck claims",
        )
    )
    return checks


async def job_summary(engine: AsyncEngine) -> list[str]:
    """What the run log says (for the report, not a check)."""
    by_kind = await _rows(
        engine,
        "SELECT coalesce(kind, type), status, count(*), sum(retries), sum(throttled_429) FROM jobs"
        " GROUP BY 1, 2 ORDER BY 1, 2",
    )
    twice = await _scalar(
        engine,
        "SELECT count(*) FROM (SELECT 1 FROM jobs WHERE kind = 'backfill' AND status = 'done'"
        " GROUP BY connection_id, marketplace_id, window_start, window_end HAVING count(*) > 1) d",
    )
    lines = [
        f"{kind} {status}: {n:,} (retries {retries or 0:,}, 429s {throttled or 0:,})"
        for kind, status, n, retries, throttled in by_kind
    ]
    lines.append(f"backfill windows finished by more than one job row: {twice}")
    return lines


def _indent(message: str, max_lines: int) -> str:
    lines = message.splitlines()[:max_lines]
    return "\n".join(lines[:1] + [f"      {line}" for line in lines[1:]])
