"""A fresh, empty database per test, on the test run's PostgreSQL server, dropped afterwards.

Migration tests need a database nobody has migrated yet; the shared test database is already at
head. The server is the one `tests.fixtures.servers` runs (embedded, or TEST_DATABASE_URL).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.servers import servers, url_for_database


@pytest.fixture
def migration_database_url() -> Iterator[str]:
    name = servers.create_database("spapi_migrations")
    try:
        yield url_for_database(servers.admin_url, name)
    finally:
        servers.drop_database(name)
