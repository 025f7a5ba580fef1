"""The module the `dramatiq` worker command imports: logging, the actor registry, then the broker."""

import sys

import app.tasks  # noqa: F401  (declares every actor)
from app.kit.logging import configure_logging, wants_colour
from app.settings import get_settings
from app.worker.broker import setup_broker

_settings = get_settings()
_format = _settings.runtime.log_format
# Dramatiq hands a worker process a pipe as stderr and copies it to its own: colour if that is a terminal.
configure_logging(
    _settings.runtime.log_level,
    _format,
    process="worker",
    exclusive=True,
    colors=sys.__stderr__ is not None and wants_colour(_format, sys.__stderr__),
)
broker = setup_broker()
