"""All SQL of the Ads read API: profiles with their sync rows, campaigns, the per-product table and
the daily series, every figure computed here from the daily report tables (never stored twice).

Every query is scoped by tenant and profile first, and every money figure is one profile's (one
currency): rows in another currency than the profile's are left out, never added. Total sales come
from the orders of the SP-API connection linked to the profile, in the profile's marketplace, by
purchase day in the profile's time zone, canceled orders excluded (line totals, `item_price`).

The reads run on the session's own psycopg connection with plain dict rows, as the orders list
does (its hot path, bench/b4_orders_api.py); ratios are cast to float8 here, counts to bigint,
money stays numeric (exact decimal strings in the answer).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import IntEnum
from typing import Any, Literal

from psycopg.rows import dict_row
from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.amazon import reporting_time_zone
from app.db.session import psycopg_connection


class Attribution(IntEnum):
    """Days after the click within which a purchase counts (Amazon's default for sellers: 7)."""

    DAYS_7 = 7
    DAYS_14 = 14


Group = Literal["asin", "campaign", "ad_group"]
SortKey = Literal[
    "spend",
    "ad_sales",
    "acos",
    "roas",
    "tacos",
    "clicks",
    "impressions",
    "units",
    "total_sales",
    "cpc",
    "ctr",
]
Direction = Literal["desc", "asc"]

# The sort values as exact numerics (so a keyset compares them exactly), over the summed figures.
SORT_SQL: dict[str, str] = {
    "spend": "spend",
    "ad_sales": "ad_sales",
    "total_sales": "total_sales",
    "clicks": "clicks::numeric",
    "impressions": "impressions::numeric",
    "units": "units::numeric",
    "acos": "spend / nullif(ad_sales, 0)",
    "roas": "ad_sales / nullif(spend, 0)",
    "tacos": "spend / nullif(total_sales, 0)",
    "cpc": "spend / nullif(clicks, 0)",
    "ctr": "clicks::numeric / nullif(impressions, 0)",
}

# One statement for every sort (the sort a parameter): a connection keeps a plan per statement
# (`app.db.session.create_kept_plans_engine`), and the CASE costs nothing on a page's few rows.
SORT_VALUE_SQL = (
    "CASE %(sort)s " + " ".join(f"WHEN '{key}' THEN {value}" for key, value in SORT_SQL.items()) + " END"
)

# Ratios of the summed figures; null when the denominator is 0 (or total sales are unknown).
RATIOS_SQL = """
    (spend / nullif(ad_sales, 0))::float8 AS acos,
    (ad_sales / nullif(spend, 0))::float8 AS roas,
    (spend / nullif(total_sales, 0))::float8 AS tacos,
    (spend / nullif(clicks, 0))::float8 AS cpc,
    (clicks::numeric / nullif(impressions, 0))::float8 AS ctr,
    (purchases::numeric / nullif(clicks, 0))::float8 AS conversion_rate"""

METRICS = ("impressions", "clicks", "spend", "ad_sales", "purchases", "units", "own_sales")
# Money leaves the database as its exact decimal text, which the answer carries as is: no Decimal
# is made and formatted again per figure (the sort value too: the cursor keeps its text).
_TEXT = frozenset({"spend", "ad_sales", "total_sales", "organic_sales", "halo_sales", "sort_value"})


COUNTS = ("impressions", "clicks", "purchases", "units")


def _resum(columns: tuple[str, ...]) -> str:
    """The sums of `_metric_sums` (and others) summed again over groups of rows."""
    return ", ".join(f"sum({m}){'::bigint' if m in COUNTS else ''} AS {m}" for m in columns)


def _as_text(column: str, alias: str = "") -> str:
    return f"{alias}{column}::text AS {column}" if column in _TEXT else f"{alias}{column}"


def _metric_sums(attribution: Attribution) -> str:
    """The sums of spAdvertisedProduct columns for the attribution window (7 or 14 days).

    `own_sales` is the same-SKU part of the attributed sales: the product's own sales that ads
    brought (the rest of `ad_sales` is other products bought after the click)."""
    n = Attribution(attribution).value
    return (
        f"sum(impressions)::bigint AS impressions, sum(clicks)::bigint AS clicks, sum(cost) AS spend, "
        f"sum(sales_{n}d) AS ad_sales, sum(purchases_{n}d)::bigint AS purchases, "
        f"sum(units_sold_{n}d)::bigint AS units, sum(sales_same_sku_{n}d) AS own_sales"
    )


@dataclass(frozen=True)
class ProfileScope:
    """The profile a read is about, as its figures need it."""

    tenant_id: uuid.UUID
    profile_id: str
    currency_code: str | None
    # IANA name; UTC when Amazon gave none.
    timezone: str
    marketplace_id: str | None
    sp_connection_id: uuid.UUID | None

    @property
    def has_orders(self) -> bool:
        """Total sales (and TACOS, organic sales) exist only with a linked seller connection."""
        return self.sp_connection_id is not None and self.marketplace_id is not None


@dataclass(frozen=True)
class Period:
    """Local days [start, end] of the profile, and the same instants in UTC [from_utc, to_utc)."""

    start: date
    end: date
    from_utc: datetime
    to_utc: datetime


@dataclass(frozen=True)
class Filters:
    asin: str | None = None
    campaign_id: str | None = None
    ad_group_id: str | None = None


@dataclass(frozen=True)
class ProductsQuery:
    group: Group = "asin"
    filters: Filters = Filters()
    sort: SortKey = "spend"
    order: Direction = "desc"
    attribution: Attribution = Attribution.DAYS_7


@dataclass(frozen=True)
class ProductsAfter:
    """The keyset of the last row of a page: its sort value (None: null) and its key."""

    value: Decimal | None
    asin: str
    campaign_id: str
    ad_group_id: str


def _base_params(scope: ProfileScope) -> dict[str, Any]:
    return {
        "tenant_id": scope.tenant_id,
        "profile_id": scope.profile_id,
        "currency": scope.currency_code,
        "tz": scope.timezone,
        "sp_connection_id": scope.sp_connection_id,
        "marketplace_id": scope.marketplace_id,
    }


def _report_where(scope: ProfileScope, filters: Filters, first: str, last: str) -> str:
    """The rows of the profile's report tables (both have these columns) between two day parameters."""
    clauses = [
        "tenant_id = %(tenant_id)s",
        "profile_id = %(profile_id)s",
        f"date BETWEEN %({first})s AND %({last})s",
    ]
    if scope.currency_code is not None:
        clauses.append("(currency IS NULL OR currency = %(currency)s)")
    for column, value in (
        ("advertised_asin", filters.asin),
        ("campaign_id", filters.campaign_id),
        ("ad_group_id", filters.ad_group_id),
    ):
        if value is not None:
            clauses.append(f"{column} = %({column})s")
    return " AND ".join(clauses)


def _filter_params(filters: Filters) -> dict[str, Any]:
    return {
        "advertised_asin": filters.asin,
        "campaign_id": filters.campaign_id,
        "ad_group_id": filters.ad_group_id,
    }


def _sales_rows(scope: ProfileScope) -> str:
    """The linked seller's order sales in the profile's marketplace and currency between the days
    `sales_first` and `sales_last` (the instants `from_utc` and `to_utc`), canceled orders left out,
    as rows (date, asin, amount) to sum.

    A profile's days are its marketplace's reporting days (Amazon gives every profile of a country
    one time zone), so the rows are those the orders upsert keeps per ASIN and day
    (`order_asin_day_totals`); for any other time zone, the order lines themselves."""
    currency = scope.currency_code is not None
    if scope.timezone == reporting_time_zone(scope.marketplace_id or ""):
        return f"""
            SELECT day AS date, asin, sales AS amount FROM order_asin_day_totals
            WHERE tenant_id = %(tenant_id)s AND connection_id = %(sp_connection_id)s
              AND marketplace_id = %(marketplace_id)s AND day BETWEEN %(sales_first)s AND %(sales_last)s
              {"AND currency = %(currency)s" if currency else ""}"""
    # The tenant stays a filter (IS NOT DISTINCT FROM): as an index condition it led the planner
    # to every order of the tenant's connection through the (tenant, connection, order id) key.
    return f"""
        SELECT (o.purchase_date AT TIME ZONE %(tz)s)::date AS date, coalesce(oi.asin, '') AS asin,
               oi.item_price AS amount
        FROM orders o JOIN order_items oi ON oi.tenant_id = o.tenant_id AND oi.order_id = o.id
        WHERE o.connection_id = %(sp_connection_id)s AND o.marketplace_id = %(marketplace_id)s
          AND o.tenant_id IS NOT DISTINCT FROM %(tenant_id)s
          AND o.purchase_date >= %(from_utc)s AND o.purchase_date < %(to_utc)s
          AND o.order_status <> 'CANCELLED' AND oi.item_price IS NOT NULL
          {"AND coalesce(oi.currency, '') = %(currency)s" if currency else ""}"""


def _key(alias: str = "") -> str:
    """The row key of the per-product table, compared byte by byte (as the ORDER BY sorts it)."""
    return ", ".join(f'{alias}{column} COLLATE "C"' for column in ("asin", "campaign_id", "ad_group_id"))


_AFTER_KEY = "(%(after_asin)s, %(after_campaign)s, %(after_ad_group)s)"


def _keyset(order: Direction, after: ProductsAfter | None, params: dict[str, Any]) -> str:
    """Rows strictly after `after` in ORDER BY sort_value <order> NULLS LAST, then the key ascending."""
    if after is None:
        return "TRUE"
    params.update(
        after_value=after.value,
        after_asin=after.asin,
        after_campaign=after.campaign_id,
        after_ad_group=after.ad_group_id,
    )
    if after.value is None:
        return f"sort_value IS NULL AND ({_key()}) > {_AFTER_KEY}"
    beyond = "<" if order == "desc" else ">"
    return (
        f"(sort_value {beyond} %(after_value)s OR sort_value IS NULL"
        f" OR (sort_value = %(after_value)s AND ({_key()}) > {_AFTER_KEY}))"
    )


def products_sql(
    scope: ProfileScope, period: Period, query: ProductsQuery, after: ProductsAfter | None, limit: int
) -> tuple[str, dict[str, Any]]:
    """One page of the per-product table: a row per advertised ASIN (and campaign, and ad group)."""
    n = query.attribution.value
    campaign, ad_group = {
        "asin": ("''", "''"),
        "campaign": ("campaign_id", "''"),
        "ad_group": ("campaign_id", "ad_group_id"),
    }[query.group]
    params = {
        **_base_params(scope),
        **_filter_params(query.filters),
        "start": period.start,
        "end": period.end,
        "sales_first": period.start,
        "sales_last": period.end,
        "from_utc": period.from_utc,
        "to_utc": period.to_utc,
        "sort": query.sort,
        "limit": limit,
    }
    where = _report_where(scope, query.filters, "start", "end")
    keys = (
        f"coalesce(advertised_asin, '') AS asin, {campaign}::text AS campaign_id, "
        f"{ad_group}::text AS ad_group_id"
    )
    # Summed per SKU first (hashed), then per row with the SKUs listed: one level with
    # array_agg(DISTINCT) sorted every row of the range (a third of a 90-day page's time).
    ctes = [
        f"""by_sku AS (
            SELECT {keys}, advertised_sku, {_metric_sums(query.attribution)}
            FROM ads_sp_advertised_product_daily WHERE {where} GROUP BY 1, 2, 3, 4)""",
        f"""ad AS (
            SELECT asin, campaign_id, ad_group_id, array_remove(array_agg(advertised_sku), NULL) AS skus,
                   {_resum(METRICS)}
            FROM by_sku GROUP BY 1, 2, 3)""",
        f"""halo AS (
            SELECT {keys}, sum(sales_{n}d) AS halo_sales
            FROM ads_sp_purchased_product_daily
            WHERE {where} AND purchased_asin <> advertised_asin GROUP BY 1, 2, 3)""",
    ]
    total = "NULL::numeric"
    if scope.has_orders:
        ctes.append(
            f"""sold AS (
                SELECT asin, sum(amount) AS total_sales FROM ({_sales_rows(scope)}) s GROUP BY asin)"""
        )
        total = "coalesce(sold.total_sales, 0)"
    # Organic sales are the product's own: its total less what its own ads sold of it (same SKU).
    # A campaign's or ad group's share of them is not defined.
    organic = "total_sales - own_sales" if query.group == "asin" else "NULL::numeric"
    ctes.append(
        f"""figures AS (
            SELECT ad.*, coalesce(halo.halo_sales, 0) AS halo_sales, {total} AS total_sales
            FROM ad LEFT JOIN halo USING (asin, campaign_id, ad_group_id)
            {"LEFT JOIN sold USING (asin)" if scope.has_orders else ""})"""
    )
    direction = "DESC" if query.order == "desc" else "ASC"
    ctes.append(
        f"""page AS (
            SELECT *, {organic} AS organic_sales, (halo_sales / nullif(ad_sales, 0))::float8 AS halo_share,
                   {RATIOS_SQL}
            FROM (
                SELECT *, {SORT_VALUE_SQL} AS sort_value FROM figures) ranked
            WHERE {_keyset(query.order, after, params)}
            ORDER BY sort_value {direction} NULLS LAST, {_key()} LIMIT %(limit)s)"""
    )
    columns = (
        "asin, skus, campaign_id, ad_group_id, impressions, clicks, spend, ad_sales, purchases, units, "
        "total_sales, organic_sales, halo_sales, halo_share, acos, roas, tacos, cpc, ctr, conversion_rate, "
        "sort_value"
    )
    sql = f"""
        WITH {", ".join(ctes)}
        SELECT {", ".join(_as_text(c, "r.") for c in columns.split(", "))},
               c.name AS campaign_name, g.name AS ad_group_name
        FROM page r
        LEFT JOIN ads_campaigns c ON c.tenant_id = %(tenant_id)s AND c.profile_id = %(profile_id)s
             AND c.campaign_id = r.campaign_id
        LEFT JOIN ads_ad_groups g ON g.tenant_id = %(tenant_id)s AND g.profile_id = %(profile_id)s
             AND g.ad_group_id = r.ad_group_id
        ORDER BY r.sort_value {direction} NULLS LAST, {_key("r.")}"""
    return sql, params


@dataclass(frozen=True)
class SeriesQuery:
    period: Period
    # The same number of days just before `period.start`.
    previous_start: date
    previous_from_utc: datetime
    filters: Filters = Filters()
    attribution: Attribution = Attribution.DAYS_7


def timeseries_sql(scope: ProfileScope, query: SeriesQuery) -> tuple[str, dict[str, Any]]:
    """A row per day of the previous period and of the period (zeros where there is none), and a
    total row per period (`is_total`); `previous` tells which period a row is of."""
    filters = query.filters
    params = {
        **_base_params(scope),
        **_filter_params(filters),
        "start": query.period.start,
        "end": query.period.end,
        "first": query.previous_start,
        "sales_first": query.previous_start,
        "sales_last": query.period.end,
        "from_utc": query.previous_from_utc,
        "to_utc": query.period.to_utc,
    }
    ctes = [
        f"""ad AS (
            SELECT date, {_metric_sums(query.attribution)}
            FROM ads_sp_advertised_product_daily WHERE {_report_where(scope, filters, "first", "end")}
            GROUP BY date)"""
    ]
    if scope.has_orders:
        products = "TRUE"
        if filters.asin is not None:
            products = "asin = %(advertised_asin)s"
        elif filters.campaign_id is not None or filters.ad_group_id is not None:
            # A campaign's or ad group's total sales: those of the products it advertised in the
            # period, on every day of both periods (the previous one compares the same products).
            advertised = _report_where(scope, filters, "start", "end")
            ctes.append(
                f"""scope_asins AS (
                    SELECT DISTINCT advertised_asin FROM ads_sp_advertised_product_daily
                    WHERE {advertised})"""
            )
            products = "asin IN (SELECT advertised_asin FROM scope_asins)"
        ctes.append(
            f"""sold AS (
                SELECT date, sum(amount) AS total_sales FROM ({_sales_rows(scope)}) s
                WHERE {products} GROUP BY date)"""
        )
    # A row per day: the day's figures, its sales and a zero, summed (not joined: one plan serves
    # every range, and a join of the days with the sales' days became a nested loop for a year).
    metrics = ", ".join(METRICS)
    zeros = ", ".join("0::bigint" if m in COUNTS else "0::numeric" for m in METRICS)
    no_sales = "0::numeric" if scope.has_orders else "NULL::numeric"
    sold = f"UNION ALL SELECT date, {zeros}, total_sales FROM sold" if scope.has_orders else ""
    ctes.append(
        f"""daily AS (
            SELECT date, date < %(start)s AS previous, {_resum((*METRICS, "total_sales"))}
            FROM (
                SELECT date, {metrics}, {no_sales} AS total_sales FROM ad
                {sold}
                UNION ALL
                SELECT generate_series(%(first)s::date, %(end)s::date, interval '1 day')::date, {zeros},
                       {no_sales}
            ) days
            WHERE date BETWEEN %(first)s AND %(end)s
            GROUP BY date)"""
    )
    sums = _resum((*METRICS, "total_sales"))
    # Organic sales: the whole profile's total less everything ads sold; one product's total less
    # what ads sold of it (same SKU). Not defined for a campaign's or ad group's share.
    if filters.campaign_id is not None or filters.ad_group_id is not None:
        organic = "NULL::numeric"
    elif filters.asin is not None:
        organic = "total_sales - own_sales"
    else:
        organic = "total_sales - ad_sales"
    sql = f"""
        WITH {", ".join(ctes)}
        SELECT previous, date, is_total, impressions, clicks, {_as_text("spend")}, {_as_text("ad_sales")},
               purchases, units, {_as_text("total_sales")}, ({organic})::text AS organic_sales, {RATIOS_SQL}
        FROM (
            SELECT previous, date, GROUPING(date) = 1 AS is_total, {sums}
            FROM daily GROUP BY GROUPING SETS ((previous, date), (previous))
        ) g
        -- The previous period's days count in its totals only.
        WHERE is_total OR NOT previous
        ORDER BY previous DESC, is_total, date"""
    return sql, params


def campaigns_sql(
    scope: ProfileScope, period: Period, attribution: Attribution
) -> tuple[str, dict[str, Any]]:
    """Every campaign of the profile (from the structure, and any that only the reports know of)
    with its ad group and ad counts and its figures over the period."""
    params = {**_base_params(scope), "start": period.start, "end": period.end}
    where = _report_where(scope, Filters(), "start", "end")
    mine = "tenant_id = %(tenant_id)s AND profile_id = %(profile_id)s"
    sql = f"""
        WITH m AS (
            SELECT campaign_id, {_metric_sums(attribution)}
            FROM ads_sp_advertised_product_daily WHERE {where} GROUP BY campaign_id),
        group_counts AS (
            SELECT campaign_id, count(*) AS n FROM ads_ad_groups WHERE {mine} GROUP BY campaign_id),
        ad_counts AS (SELECT campaign_id, count(*) AS n FROM ads_ads WHERE {mine} GROUP BY campaign_id),
        c AS (SELECT * FROM ads_campaigns WHERE {mine}),
        figures AS (
            SELECT campaign_id, c.name, c.state, c.targeting_type, c.budget, c.budget_type,
                   coalesce(group_counts.n, 0)::int AS ad_groups, coalesce(ad_counts.n, 0)::int AS ads,
                   coalesce(m.impressions, 0) AS impressions, coalesce(m.clicks, 0) AS clicks,
                   coalesce(m.spend, 0) AS spend, coalesce(m.ad_sales, 0) AS ad_sales,
                   coalesce(m.purchases, 0) AS purchases, coalesce(m.units, 0) AS units,
                   NULL::numeric AS total_sales
            FROM c FULL JOIN m USING (campaign_id)
            LEFT JOIN group_counts USING (campaign_id) LEFT JOIN ad_counts USING (campaign_id))
        SELECT campaign_id, name, state, targeting_type, budget, budget_type, ad_groups, ads,
               impressions, clicks, spend, ad_sales, purchases, units, {RATIOS_SQL}
        FROM figures ORDER BY spend DESC, campaign_id COLLATE "C" """
    return sql, params


# The profiles whose marketplace the linked seller's orders are synced in come first: the panel opens
# on the first one, the one whose total sales (and so TACOS) it has.
_PROFILES = """
    SELECT p.profile_id, p.connection_id, p.country_code, p.currency_code, p.timezone, p.marketplace_id,
           p.account_type, p.account_name, p.linked_sp_connection_id, s.display_name AS linked_seller_name,
           (SELECT min(d.date) FROM ads_sp_advertised_product_daily d
             WHERE d.tenant_id = p.tenant_id AND d.profile_id = p.profile_id) AS data_from,
           (SELECT max(d.date) FROM ads_sp_advertised_product_daily d
             WHERE d.tenant_id = p.tenant_id AND d.profile_id = p.profile_id) AS data_to
    FROM ads_profiles p
    LEFT JOIN connections s ON s.tenant_id = p.tenant_id AND s.id = p.linked_sp_connection_id
    WHERE p.tenant_id = %(tenant_id)s
    ORDER BY EXISTS (
               SELECT 1 FROM sync_state o
                WHERE o.tenant_id = p.tenant_id AND o.connection_id = p.linked_sp_connection_id
                  AND o.marketplace_id = p.marketplace_id AND o.entity = 'orders'
             ) DESC,
             p.country_code, p.profile_id"""

# The engine's rows of the profiles (an Ads row's marketplace_id is its profile id).
_SYNC_ROWS = """
    SELECT st.marketplace_id AS profile_id, st.entity, st.status, st.backfill_from, st.backfill_to,
           st.backfill_done_until, st.backfill_started_at, st.backfill_completed_at, st.last_success_at,
           st.last_error
    FROM sync_state st
    JOIN ads_profiles p ON p.tenant_id = st.tenant_id AND p.connection_id = st.connection_id
         AND p.profile_id = st.marketplace_id
    WHERE st.tenant_id = %(tenant_id)s AND left(st.entity, 4) = 'ads_'
    ORDER BY st.marketplace_id, st.entity"""

_PROFILE = """
    SELECT profile_id, currency_code, timezone, marketplace_id, linked_sp_connection_id
    FROM ads_profiles WHERE tenant_id = %(tenant_id)s AND profile_id = %(profile_id)s"""


class AdsReadRepository:
    """Reads for the Ads API; every query is scoped by tenant first."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _rows(self, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        # Prepared: on the figures endpoints' connections (`reads_with_kept_plans`) a statement is
        # planned once per connection; each is a profile's rows through the same index, a plan
        # that suits any range.
        async with (await psycopg_connection(self.session)).cursor(row_factory=dict_row) as cursor:
            await cursor.execute(sql, params, prepare=True)
            return await cursor.fetchall()

    async def profile(self, tenant_id: uuid.UUID, profile_id: str) -> dict[str, Any] | None:
        rows = await self._rows(_PROFILE, {"tenant_id": tenant_id, "profile_id": profile_id})
        return rows[0] if rows else None

    async def profiles(self, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
        return await self._rows(_PROFILES, {"tenant_id": tenant_id})

    async def sync_rows(self, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
        return await self._rows(_SYNC_ROWS, {"tenant_id": tenant_id})

    async def campaigns(
        self, scope: ProfileScope, period: Period, attribution: Attribution
    ) -> list[dict[str, Any]]:
        return await self._rows(*campaigns_sql(scope, period, attribution))

    async def products(
        self,
        scope: ProfileScope,
        period: Period,
        query: ProductsQuery,
        after: ProductsAfter | None,
        limit: int,
    ) -> list[dict[str, Any]]:
        return await self._rows(*products_sql(scope, period, query, after, limit))

    async def timeseries(self, scope: ProfileScope, query: SeriesQuery) -> list[dict[str, Any]]:
        return await self._rows(*timeseries_sql(scope, query))
