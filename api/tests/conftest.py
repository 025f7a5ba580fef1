"""Test infrastructure shared by every test: servers, settings, database, Redis, app, browser."""

from __future__ import annotations

import os

import pytest

from tests.fixtures.servers import servers

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.app",
    "tests.fixtures.browser",
    "tests.fixtures.sqs",
    "tests.fixtures.mail",
]


def pytest_configure(config: pytest.Config) -> None:
    # Started before collection so that every module sees the final environment.
    if hasattr(config, "workerinput"):
        return
    servers.start()
    os.environ.update(
        {
            "ENVIRONMENT": "test",
            "DATABASE_URL": servers.database_url,
            "REDIS_URL": servers.redis_url,
            "LOG_FORMAT": "json",
            "ENCRYPTION_KEY": "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0=",
            "SESSION_SECRET": "test-session-secret-test-session-secret-0123",
        }
    )
    import app.tasks  # noqa: F401  (the actor registry: the tests are an entry point too)
    from app import migrate
    from app.settings import reset_settings_cache

    reset_settings_cache()
    migrate.upgrade(servers.database_url)


def pytest_unconfigure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        servers.stop()
