"""All SQL that writes the Ads tables (campaigns, ad groups, product ads, the two daily report
tables), and the counts the sync status shows. Rows are dicts keyed by the models' columns
(`app.ads.report_mapping`, `app.ads.structure_sync`), of one tenant and profile.

Every upsert is idempotent and counted: `INSERT ... ON CONFLICT (key) DO UPDATE ... WHERE
<something changed> RETURNING (xmax = 0)`. Re-reading a window writes nothing (`updated_at` does not
move) and counts every row unchanged; a restated day updates its rows in place.

The daily tables take hundreds of thousands of rows per backfill window, the way
`app.orders.repository` writes orders: a batch is COPYed (text format) into a session-local
temporary table of the target's own types (money as numeric(14,2), so an incoming amount compares
with the stored one as stored), then merged in one statement; the tenant and profile are parameters
of the merge, not columns sent per row. Nothing here commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import Any

import msgspec
from msgspec.structs import astuple
from sqlalchemy import delete, func, literal_column, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.ads.models import (
    AdsAd,
    AdsAdGroup,
    AdsCampaign,
    AdsSpAdvertisedProductDaily,
    AdsSpPurchasedProductDaily,
)
from app.adsapi.reports import AdvertisedProductRow
from app.connections.models import AdsProfile
from app.db.session import psycopg_connection
from app.sync.dataset import Counts

# Rows per merge statement (the caller's batch may be larger).
BATCH_ROWS = 10_000
_MONEY = "numeric(14,2)"


@dataclass(frozen=True)
class _Daily:
    """One daily table: its staged columns in COPY order (column, type, the value merged: an SQL
    expression of the staged column) and its unique key."""

    table: str
    stage: str
    columns: tuple[tuple[str, str, str], ...]
    key: tuple[str, ...]


def _windows(stem: str, pg_type: str, windows: Sequence[int]) -> tuple[tuple[str, str, str], ...]:
    return tuple((f"{stem}_{w}d", pg_type, f"{stem}_{w}d") for w in windows)


def _metrics(stem: str, pg_type: str, windows: Sequence[int]) -> tuple[tuple[str, str, str], ...]:
    """Metric columns of a report row: a metric Amazon left out (null) is stored as 0."""
    return tuple((f"{stem}_{w}d", pg_type, f"COALESCE({stem}_{w}d, 0)") for w in windows)


# spAdvertisedProduct rows arrive as `AdvertisedProductRow`s, staged in its field order, and become
# the table's columns here: ids as their text, the ASIN upper-cased, a blank SKU as NULL, a
# metric Amazon left out as 0 (`app.ads.report_mapping`).
ADVERTISED = _Daily(
    AdsSpAdvertisedProductDaily.__tablename__,
    "ads_advertised_in",
    (
        ("date", "date", "date"),
        ("campaign_id", "text", "COALESCE(btrim(campaign_id), '')"),
        ("ad_group_id", "text", "COALESCE(btrim(ad_group_id), '')"),
        ("ad_id", "text", "btrim(ad_id)"),
        ("advertised_asin", "text", "NULLIF(upper(btrim(advertised_asin)), '')"),
        ("advertised_sku", "text", "NULLIF(btrim(advertised_sku), '')"),
        ("currency", "text", "currency"),
        ("impressions", "int8", "COALESCE(impressions, 0)"),
        ("clicks", "int8", "COALESCE(clicks, 0)"),
        ("cost", _MONEY, "COALESCE(cost, 0)"),
        *_metrics("purchases", "int8", (1, 7, 14, 30)),
        *_metrics("units_sold", "int8", (1, 7, 14, 30)),
        *_metrics("sales", _MONEY, (1, 7, 14, 30)),
        *_metrics("purchases_same_sku", "int8", (7, 14)),
        *_metrics("units_same_sku", "int8", (7, 14)),
        *_metrics("sales_same_sku", _MONEY, (7, 14)),
    ),
    ("date", "ad_id"),
)
# spPurchasedProduct rows arrive as the table's columns (`report_mapping.purchased_row`, summed).
PURCHASED = _Daily(
    AdsSpPurchasedProductDaily.__tablename__,
    "ads_purchased_in",
    (
        ("date", "date", "date"),
        ("campaign_id", "text", "campaign_id"),
        ("ad_group_id", "text", "ad_group_id"),
        ("advertised_asin", "text", "advertised_asin"),
        ("advertised_sku", "text", "advertised_sku"),
        ("purchased_asin", "text", "purchased_asin"),
        ("currency", "text", "currency"),
        *_windows("sales", _MONEY, (7, 14)),
        *_windows("purchases", "int8", (7, 14)),
        *_windows("units", "int8", (7, 14)),
    ),
    ("date", "campaign_id", "ad_group_id", "advertised_asin", "advertised_sku", "purchased_asin"),
)
_PURCHASED_VALUES = itemgetter(*(c for c, _, _ in PURCHASED.columns))


@cache
def _statements(spec: _Daily) -> tuple[str, str, str]:
    """(create the staging table, COPY into it, merge it) for one daily table."""
    names = [c for c, _, _ in spec.columns]
    defs = ", ".join(f"{c} {t}" for c, t, _ in spec.columns)
    # Lives as long as the database connection, emptied at every commit (and before each batch).
    create = f"CREATE TEMP TABLE IF NOT EXISTS {spec.stage} ({defs}) ON COMMIT DELETE ROWS"
    # CSV: what `_csv` writes (an unquoted null is NULL; a quoted "null" is that text).
    copy = f"COPY {spec.stage} ({', '.join(names)}) FROM STDIN (FORMAT csv, NULL 'null')"
    values = ", ".join(value for _, _, value in spec.columns)
    updatable = [c for c in names if c not in spec.key]
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in updatable)
    stored = ", ".join(f"{spec.table}.{c}" for c in updatable)
    incoming = ", ".join(f"EXCLUDED.{c}" for c in updatable)
    merge = f"""
        WITH written AS (
        INSERT INTO {spec.table} (tenant_id, profile_id, {", ".join(names)})
        SELECT %(tenant_id)s, %(profile_id)s, {values} FROM {spec.stage}
        ON CONFLICT (tenant_id, profile_id, {", ".join(spec.key)}) DO UPDATE
        SET {sets}, updated_at = now()
        WHERE ({stored}) IS DISTINCT FROM ({incoming})
        RETURNING (xmax = 0) AS inserted
        )
        SELECT count(*) FILTER (WHERE inserted), count(*) FROM written
    """
    return create, copy, merge


_JSON = msgspec.json.Encoder()


def _csv(rows: Sequence[tuple[Any, ...]]) -> bytes:
    """The rows as COPY's CSV. Fast path: msgspec writes them as JSON arrays, in C, and a JSON array
    of numbers, `null`s and strings without a backslash (no escape in them) is a CSV line once its
    brackets go: strings quoted, numbers bare, `Decimal`s and dates quoted text. A string that holds
    a backslash or a `],[` makes that test fail, and the rows are written value by value."""
    encoded = _JSON.encode(rows)
    if b"\\" not in encoded and encoded.count(b"],[") == len(rows) - 1:
        return encoded[2:-2].replace(b"],[", b"\n") + b"\n"
    return "".join(",".join(map(_csv_value, row)) + "\n" for row in rows).encode()


def _csv_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    return str(value)


def _last_per_key(rows: Sequence[dict[str, Any]], key: Sequence[str]) -> list[dict[str, Any]]:
    """One row per key (ON CONFLICT cannot touch a row twice in one statement): the last one."""
    by_key = itemgetter(*key)
    return list({by_key(row): row for row in rows}.values())


def _advertised_key(row: AdvertisedProductRow) -> tuple[Any, ...]:
    return (row.date, str(row.adId).strip())


def _counts(seen: int, batch: int, inserted: int, written: int) -> Counts:
    return Counts(seen=seen, inserted=inserted, updated=written - inserted, unchanged=batch - written)


class AdsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- the daily report tables ---------------------------------------------------------------

    async def upsert_advertised_daily(
        self, tenant_id: uuid.UUID, profile_id: str, rows: Sequence[AdvertisedProductRow]
    ) -> Counts:
        """spAdvertisedProduct rows as the report has them (`report_mapping.advertised_row`), keyed by
        day and ad: the last row of a key is the one kept."""
        unique = list({_advertised_key(row): row for row in rows}.values())
        return await self._upsert_daily(
            ADVERTISED, tenant_id, profile_id, len(rows), list(map(astuple, unique))
        )

    async def upsert_purchased_daily(
        self, tenant_id: uuid.UUID, profile_id: str, rows: Sequence[dict[str, Any]]
    ) -> Counts:
        """spPurchasedProduct rows (`report_mapping.purchased_row`), keyed by day, ad group,
        advertised ASIN and SKU, and purchased ASIN."""
        unique = _last_per_key(rows, PURCHASED.key)
        return await self._upsert_daily(
            PURCHASED, tenant_id, profile_id, len(rows), [_PURCHASED_VALUES(row) for row in unique]
        )

    async def _upsert_daily(
        self, spec: _Daily, tenant_id: uuid.UUID, profile_id: str, seen: int, unique: list[tuple[Any, ...]]
    ) -> Counts:
        """`unique`: one tuple of staged values per key (ON CONFLICT cannot touch a row twice in one
        statement)."""
        if not unique:
            return Counts(seen=seen)
        create, copy_sql, merge = _statements(spec)
        params = {"tenant_id": tenant_id, "profile_id": profile_id}
        driver = await psycopg_connection(self.session)
        counts = Counts(seen=seen - len(unique))
        async with driver.cursor() as cursor:
            await cursor.execute(create)
            for start in range(0, len(unique), BATCH_ROWS):
                batch = unique[start : start + BATCH_ROWS]
                await cursor.execute(f"TRUNCATE {spec.stage}")
                async with cursor.copy(copy_sql) as copy:
                    await copy.write(_csv(batch))
                await cursor.execute(merge, params)
                inserted, written = await cursor.fetchone() or (0, 0)
                counts += _counts(len(batch), len(batch), inserted, written)
        return counts

    # -- campaign structure ---------------------------------------------------------------------

    async def upsert_campaigns(
        self, tenant_id: uuid.UUID, profile_id: str, rows: Sequence[dict[str, Any]]
    ) -> Counts:
        return await self._upsert_structure(AdsCampaign, ("campaign_id",), tenant_id, profile_id, rows)

    async def upsert_ad_groups(
        self, tenant_id: uuid.UUID, profile_id: str, rows: Sequence[dict[str, Any]]
    ) -> Counts:
        return await self._upsert_structure(AdsAdGroup, ("ad_group_id",), tenant_id, profile_id, rows)

    async def upsert_ads(
        self, tenant_id: uuid.UUID, profile_id: str, rows: Sequence[dict[str, Any]]
    ) -> Counts:
        return await self._upsert_structure(AdsAd, ("ad_id",), tenant_id, profile_id, rows)

    async def _upsert_structure(
        self,
        model: type[AdsCampaign] | type[AdsAdGroup] | type[AdsAd],
        key: tuple[str, ...],
        tenant_id: uuid.UUID,
        profile_id: str,
        rows: Sequence[dict[str, Any]],
    ) -> Counts:
        """Campaigns, ad groups or product ads as the list endpoints sent them (a few thousand at
        most per page): one statement per page."""
        unique = _last_per_key(rows, key)
        if not unique:
            return Counts()
        statement = insert(model).values(
            [{**row, "tenant_id": tenant_id, "profile_id": profile_id} for row in unique]
        )
        updatable = [c for c in unique[0] if c not in key]
        table = model.__table__
        changed = tuple_(*(table.c[c] for c in updatable)).is_distinct_from(
            tuple_(*(statement.excluded[c] for c in updatable))
        )
        upsert: Any = statement.on_conflict_do_update(
            index_elements=["tenant_id", "profile_id", *key],
            set_={**{c: statement.excluded[c] for c in updatable}, "updated_at": func.now()},
            where=changed,
        ).returning(literal_column("(xmax = 0)"))
        flags = list((await self.session.execute(upsert)).scalars())
        inserted = sum(1 for f in flags if f)
        return _counts(len(rows), len(unique), inserted, len(flags))

    # -- what the sync status shows --------------------------------------------------------------

    async def rows_by_profile(
        self,
        models: Sequence[type[Any]],
        tenant_id: uuid.UUID,
        connection_id: uuid.UUID | None,
    ) -> dict[tuple[uuid.UUID, str], int]:
        """Rows of these tables per (Ads connection, profile), summed."""
        out: dict[tuple[uuid.UUID, str], int] = {}
        for model in models:
            statement = (
                select(AdsProfile.connection_id, model.profile_id, func.count())
                .join(
                    AdsProfile,
                    (AdsProfile.tenant_id == model.tenant_id) & (AdsProfile.profile_id == model.profile_id),
                )
                .where(model.tenant_id == tenant_id)
                .group_by(AdsProfile.connection_id, model.profile_id)
            )
            if connection_id is not None:
                statement = statement.where(AdsProfile.connection_id == connection_id)
            for connection, profile, rows in (await self.session.execute(statement)).all():
                out[(connection, profile)] = out.get((connection, profile), 0) + int(rows)
        return out

    async def delete_for_profiles(self, tenant_id: uuid.UUID, profile_ids: Sequence[str]) -> None:
        """Every Ads row of these profiles (retention: their Ads connection is being deleted)."""
        if not profile_ids:
            return
        for model in (
            AdsSpAdvertisedProductDaily,
            AdsSpPurchasedProductDaily,
            AdsAd,
            AdsAdGroup,
            AdsCampaign,
        ):
            await self.session.execute(
                delete(model).where(model.tenant_id == tenant_id, model.profile_id.in_(list(profile_ids)))
            )
