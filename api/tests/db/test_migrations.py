"""The migrations build exactly the schema the models describe, and unbuild it cleanly."""

from __future__ import annotations

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, pool

from app import migrate
from app.models import Base
from app.settings import to_psycopg_url


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return {row[0] for row in rows}


def _diffs(url: str) -> list[object]:
    engine = create_engine(to_psycopg_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


TENANT, CONNECTION = "00000000-0000-0000-0000-00000000000a", "00000000-0000-0000-0000-00000000000c"


def _tenant_and_connection(conn: psycopg.Connection) -> tuple[str, str]:
    """One tenant and its Amazon connection, written with plain SQL (the schema of any revision)."""
    conn.execute("INSERT INTO tenants (id, name, slug) VALUES (%s, 'T', 't')", (TENANT,))
    conn.execute(
        "INSERT INTO connections (id, tenant_id, provider, region, account_id)"
        " VALUES (%s, %s, 'amazon_sp', 'NA', 'A1')",
        (CONNECTION, TENANT),
    )
    return TENANT, CONNECTION


def test_upgrade_downgrade_upgrade_matches_models(migration_database_url: str) -> None:
    url = migration_database_url
    model_tables = set(Base.metadata.tables)

    migrate.upgrade(url)
    assert _tables(url) == model_tables | {"alembic_version"}

    migrate.downgrade(url, "base")
    assert _tables(url) == {"alembic_version"}

    migrate.upgrade(url, "head")
    assert _tables(url) == model_tables | {"alembic_version"}
    assert _diffs(url) == []
    migrate.check(url)


def test_check_reports_drift(migration_database_url: str) -> None:
    url = migration_database_url
    migrate.upgrade(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE orders DROP COLUMN is_prime")
    with pytest.raises(migrate.SchemaDriftError, match="is_prime"):
        migrate.check(url)


async def test_upgrade_works_inside_a_running_event_loop(migration_database_url: str) -> None:
    # env.py calls asyncio.run(); from async code the migration runs in a fresh thread instead.
    migrate.upgrade(migration_database_url)
    assert "orders" in _tables(migration_database_url)


def test_alembic_config_works_from_any_directory() -> None:
    config = migrate.alembic_config("postgresql://u@h:1/db")
    assert config.attributes["sqlalchemy_url"] == "postgresql+psycopg://u@h:1/db"
    script_location = config.get_main_option("script_location")
    assert script_location is not None
    assert script_location.endswith("migrations")


def test_day_totals_are_filled_from_the_orders_already_stored(migration_database_url: str) -> None:
    """0002 creates order_day_totals on a database that already has orders, and fills it."""
    url = migration_database_url
    migrate.upgrade(url, "0001")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO tenants (id, name, slug) VALUES ('00000000-0000-0000-0000-00000000000a', 'T', 't')"
        )
        conn.execute(
            "INSERT INTO connections (id, tenant_id, provider, region, account_id) VALUES"
            " ('00000000-0000-0000-0000-00000000000c', '00000000-0000-0000-0000-00000000000a',"
            " 'amazon_sp', 'NA', 'A1')"
        )
        for n, (day, status, total) in enumerate(
            [
                ("2026-03-01 23:59:59+00", "SHIPPED", "10.50"),
                ("2026-03-01 08:00:00+00", "SHIPPED", "4.50"),
                ("2026-03-02 00:00:00+00", "PENDING", None),
            ]
        ):
            conn.execute(
                "INSERT INTO orders (tenant_id, connection_id, marketplace_id, amazon_order_id,"
                " purchase_date, last_update_date, order_status, currency, order_total, source) VALUES"
                " ('00000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-00000000000c',"
                " 'ATVPDKIKX0DER', %s, %s, %s, %s, %s, %s, 'api')",
                (f"111-000000{n}", day, day, status, "USD" if total else None, total),
            )
    migrate.upgrade(url, "head")
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT day::text, order_status, currency, orders, priced_orders, order_total::text"
            " FROM order_day_totals ORDER BY day"
        ).fetchall()
    assert rows == [
        ("2026-03-01", "SHIPPED", "USD", 2, 2, "15.00"),
        ("2026-03-02", "PENDING", "", 1, 0, "0.00"),
    ]


def test_month_totals_are_filled_from_the_day_totals_already_stored(migration_database_url: str) -> None:
    """0003 creates order_month_totals on a database that already has day totals, and fills it."""
    url = migration_database_url
    migrate.upgrade(url, "0002")
    with psycopg.connect(url, autocommit=True) as conn:
        tenant, connection = _tenant_and_connection(conn)
        for day, status, currency, orders, priced, total in [
            ("2026-02-28", "SHIPPED", "USD", 2, 2, "15.00"),
            ("2026-03-01", "SHIPPED", "USD", 1, 1, "4.50"),
            ("2026-03-31", "SHIPPED", "USD", 3, 3, "30.00"),
            ("2026-03-31", "PENDING", "", 1, 0, "0.00"),
        ]:
            conn.execute(
                "INSERT INTO order_day_totals (tenant_id, connection_id, marketplace_id, order_status, day,"
                " currency, orders, priced_orders, order_total)"
                " VALUES (%s, %s, 'ATVPDKIKX0DER', %s, %s, %s, %s, %s, %s)",
                (tenant, connection, status, day, currency, orders, priced, total),
            )
    migrate.upgrade(url, "head")
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT month::text, order_status, currency, orders, priced_orders, order_total::text"
            " FROM order_month_totals ORDER BY month, order_status"
        ).fetchall()
    assert rows == [
        ("2026-02-01", "SHIPPED", "USD", 2, 2, "15.00"),
        ("2026-03-01", "PENDING", "", 1, 0, "0.00"),
        ("2026-03-01", "SHIPPED", "USD", 4, 4, "34.50"),
    ]


def test_order_lines_keep_their_rows_under_the_one_key_to_their_order(migration_database_url: str) -> None:
    """0004 swaps the lines' three foreign keys for one on a database that already has lines; its
    downgrade puts them back. The lines stay, and deleting the connection still deletes them."""
    url = migration_database_url
    migrate.upgrade(url, "0003")
    with psycopg.connect(url, autocommit=True) as conn:
        tenant, connection = _tenant_and_connection(conn)
        order_id = conn.execute(
            "INSERT INTO orders (tenant_id, connection_id, marketplace_id, amazon_order_id, purchase_date,"
            " last_update_date, order_status, source) VALUES (%s, %s, 'ATVPDKIKX0DER', '111-0000001',"
            " now(), now(), 'SHIPPED', 'api') RETURNING id",
            (tenant, connection),
        ).fetchone()
        assert order_id is not None
        for sku in ("A", "B"):
            conn.execute(
                "INSERT INTO order_items (tenant_id, connection_id, order_id, amazon_order_id, line_key)"
                " VALUES (%s, %s, %s, '111-0000001', %s)",
                (tenant, connection, order_id[0], f"sku:{sku}"),
            )

    def keys_and_lines() -> tuple[list[str], int]:
        with psycopg.connect(url) as conn:
            keys = conn.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = 'order_items'::regclass AND contype = 'f'"
                " ORDER BY conname"
            ).fetchall()
            lines = conn.execute("SELECT count(*) FROM order_items").fetchone()
        assert lines is not None
        return [k[0] for k in keys], lines[0]

    migrate.upgrade(url, "head")
    assert keys_and_lines() == (["fk_order_items_tenant_id_orders"], 2)
    migrate.downgrade(url, "0003")
    assert keys_and_lines() == (
        [
            "fk_order_items_connection_id_connections",
            "fk_order_items_order_id_orders",
            "fk_order_items_tenant_id_tenants",
        ],
        2,
    )
    migrate.upgrade(url, "head")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DELETE FROM connections WHERE id = %s", (connection,))
    assert keys_and_lines() == (["fk_order_items_tenant_id_orders"], 0)


def test_asin_day_totals_are_filled_from_the_order_lines_already_stored(migration_database_url: str) -> None:
    """0011 creates order_asin_day_totals on a database that already has orders and lines, and fills
    it per reporting day of the marketplace (Los Angeles for the US), canceled orders left out."""
    url = migration_database_url
    migrate.upgrade(url, "0010")
    with psycopg.connect(url, autocommit=True) as conn:
        tenant, connection = _tenant_and_connection(conn)
        for n, (purchased, status, price) in enumerate(
            [
                ("2026-03-02 07:59:00+00", "SHIPPED", "10.00"),  # 1 March in Los Angeles
                ("2026-03-02 08:00:00+00", "SHIPPED", "4.50"),
                ("2026-03-02 09:00:00+00", "SHIPPED", "1.50"),
                ("2026-03-02 10:00:00+00", "CANCELLED", "99.00"),
            ]
        ):
            order = conn.execute(
                "INSERT INTO orders (tenant_id, connection_id, marketplace_id, amazon_order_id,"
                " purchase_date, last_update_date, order_status, source)"
                " VALUES (%s, %s, 'ATVPDKIKX0DER', %s, %s, %s, %s, 'api') RETURNING id",
                (tenant, connection, f"111-000000{n}", purchased, purchased, status),
            ).fetchone()
            assert order is not None
            conn.execute(
                "INSERT INTO order_items (tenant_id, connection_id, order_id, amazon_order_id, line_key,"
                " asin, quantity_ordered, item_price, currency)"
                " VALUES (%s, %s, %s, %s, 'sku:A', 'B0A', 1, %s, 'USD')",
                (tenant, connection, order[0], f"111-000000{n}", price),
            )
    migrate.upgrade(url, "head")
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT day::text, asin, currency, sales::text, units FROM order_asin_day_totals ORDER BY day"
        ).fetchall()
    assert rows == [("2026-03-01", "B0A", "USD", "10.00", 1), ("2026-03-02", "B0A", "USD", "6.00", 2)]
