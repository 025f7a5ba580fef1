"""Fixtures of the sync tests: the Amazon client fixtures (in-process emulator, token manager)."""

from tests.amazon.support import *  # noqa: F403  (fixtures)
