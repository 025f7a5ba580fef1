"""Fixtures of the notifications tests: the Amazon client fixtures (SQS: tests/fixtures/sqs.py)."""

from tests.amazon.support import *  # noqa: F403  (fixtures)
