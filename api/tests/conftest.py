"""Test infrastructure shared by every test: servers, settings, database, Redis, app, browser."""

from __future__ import annotations

import os
from typing import Any

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
    worker = getattr(config, "workerinput", None)
    if worker is None:
        servers.start()
    else:
        servers.join(**worker["test_servers"], worker=worker["workerid"])
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
    if worker is None:
        migrate.upgrade(servers.database_url)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist, on the controller, for each worker: where the migrated database's servers are."""
    node.workerinput["test_servers"] = {
        "admin_url": servers.admin_url,
        "redis_url": servers.redis_url,
        "template": servers.database_name,
    }


def pytest_unconfigure(config: pytest.Config) -> None:
    # A worker drops its own database; the controller (or a run without xdist) stops the servers.
    servers.stop()
