"""The module the `dramatiq` worker command imports: logging, the actor registry, then the broker."""

import app.tasks  # noqa: F401  (declares every actor)
from app.kit.logging import configure_logging
from app.settings import get_settings
from app.worker.broker import setup_broker

_settings = get_settings()
configure_logging(_settings.runtime.log_level, _settings.runtime.log_format, process="worker", exclusive=True)
broker = setup_broker()
