"""Rules every table must follow, checked on the models (the migration test proves the database
matches them): tenant isolation in keys and indexes, and no columns for secrets or buyer PII."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import ForeignKeyConstraint, Table, UniqueConstraint

from app.models import Base
from app.orders.models import item_line_key

TABLES = sorted(Base.metadata.tables.values(), key=lambda t: t.name)
TENANT_TABLES = [t for t in TABLES if "tenant_id" in t.c]


def _leading_columns(table: Table) -> list[str]:
    """First column of every index, unique constraint and primary key of `table`."""
    firsts = [next(iter(i.expressions)) for i in table.indexes]
    firsts += [next(iter(c.columns)) for c in table.constraints if isinstance(c, UniqueConstraint)]
    firsts += [next(iter(table.primary_key.columns))]
    return [getattr(col, "name", str(col)) for col in firsts]


def test_there_are_tenant_owned_tables() -> None:
    assert {"orders", "order_items", "connections", "tokens", "sync_state", "jobs"} <= {
        t.name for t in TENANT_TABLES
    }


@pytest.mark.parametrize("table", TENANT_TABLES, ids=lambda t: t.name)
def test_tenant_id_is_indexed(table: Table) -> None:
    assert "tenant_id" in _leading_columns(table), f"{table.name}: no index leads with tenant_id"


@pytest.mark.parametrize("table", TENANT_TABLES, ids=lambda t: t.name)
def test_unique_keys_start_with_tenant_id(table: Table) -> None:
    uniques: list[list[object]] = [
        list(c.columns) for c in table.constraints if isinstance(c, UniqueConstraint)
    ]
    uniques += [list(i.expressions) for i in table.indexes if i.unique]
    for columns in uniques:
        assert getattr(columns[0], "name", None) == "tenant_id", f"{table.name}: {columns}"


def _tenant_keys(table: Table) -> list[ForeignKeyConstraint]:
    """Foreign keys that tie the row's tenant_id to a tenant: to tenants.id itself, or, with the
    rest of the key, to a parent row's own tenant_id (a line to an order of the same tenant)."""
    found = []
    for constraint in table.constraints:
        if not isinstance(constraint, ForeignKeyConstraint):
            continue
        pairs = {(e.parent.name, e.column.table.name, e.column.name) for e in constraint.elements}
        direct = ("tenant_id", "tenants", "id") in pairs
        parent = constraint.referred_table.name
        through_parent = ("tenant_id", parent, "tenant_id") in pairs and parent in TENANT_NAMES
        if direct or through_parent:
            found.append(constraint)
    return found


TENANT_NAMES = {t.name for t in TENANT_TABLES}


@pytest.mark.parametrize("table", TENANT_TABLES, ids=lambda t: t.name)
def test_tenant_foreign_key_cascades(table: Table) -> None:
    keys = _tenant_keys(table)
    assert keys, f"{table.name}.tenant_id has no foreign key to tenants nor to a parent row's tenant"
    assert all(key.ondelete == "CASCADE" for key in keys)


def test_order_lines_belong_to_an_order_of_their_own_tenant() -> None:
    items = Base.metadata.tables["order_items"]
    [key] = _tenant_keys(items)
    assert [(e.parent.name, e.column.name) for e in key.elements] == [
        ("tenant_id", "tenant_id"),
        ("order_id", "id"),
    ]
    assert key.referred_table.name == "orders"


def test_every_foreign_key_says_what_happens_on_delete() -> None:
    for table in TABLES:
        for constraint in table.constraints:
            if isinstance(constraint, ForeignKeyConstraint):
                assert constraint.ondelete in {"CASCADE", "SET NULL"}, f"{table.name}: {constraint.name}"


# Names that would mean a secret in clear or buyer PII is being stored. Encrypted columns end in
# `_enc`; hashes end in `_hash`.
FORBIDDEN = re.compile(
    r"access_token|restricted_data|\brdt\b|client_secret|^secret$|^password$|buyer|recipient|"
    r"address_line|^address|phone|email(?!_)|tax_id|^name_on|ship_name",
)


def test_no_columns_for_secrets_or_buyer_pii() -> None:
    # Our own users' sign-in addresses (and the addresses they invite), not buyer data.
    allowed = {("users", "email"), ("email_tokens", "email"), ("invitations", "email")}
    offenders = [
        f"{table.name}.{column.name}"
        for table in TABLES
        for column in table.c
        if FORBIDDEN.search(column.name) and (table.name, column.name) not in allowed
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("SKU-1", "B000111", "12345678901234"), "sku:SKU-1"),
        (("SKU-1", "B000111", None), "sku:SKU-1"),
        ((None, "B000111", "12345678901234"), "asin:B000111"),
        ((None, None, "12345678901234"), "item:12345678901234"),
    ],
)
def test_item_line_key_is_the_same_from_reports_and_the_api(
    args: tuple[str | None, str | None, str | None], expected: str
) -> None:
    assert item_line_key(*args) == expected


def test_item_line_key_numbers_repeated_lines() -> None:
    assert item_line_key("SKU-1", None, None, occurrence=2) == "sku:SKU-1#2"
    with pytest.raises(ValueError):
        item_line_key(None, None, None)
