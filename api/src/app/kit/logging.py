"""Structured logs: one format for every process, a request id on every line, secrets never printed.

`LOG_FORMAT=json` writes one JSON object per line (production: what a log store parses);
`LOG_FORMAT=console` writes coloured, aligned lines for a terminal (development). Either way every
line carries the process that wrote it (`process`: api, worker, scheduler, notifications, emulator,
dev), and, where there is one, the HTTP request id, the job id and the last Amazon request id (bound
as structlog contextvars where a request, a job or an Amazon answer arrives). Records of the standard
library's loggers (uvicorn, Dramatiq, alembic, the emulator) go through the same processors, so they
look the same as the product's own.

The redaction processor is the last line of defence: code must not log tokens or PII in the first
place, but if a key that looks secret slips into an event it is masked here.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any, Literal, TextIO

import structlog
from structlog.typing import Processor

LogFormat = Literal["json", "console"]
REDACTED = "[redacted]"
# Wide enough for the longest process name ("notifications").
_PROCESS_WIDTH = 13
_SECRET_KEY = re.compile(
    r"(pass(word)?|secret|token|authorization|cookie|refresh|rdt|api[_-]?key|encryption|session_id|"
    r"buyer|address|phone|email_address|tax)",
    re.IGNORECASE,
)
# Values that look like LWA tokens, RDTs or client secrets, wherever they appear in a message.
_SECRET_VALUE = re.compile(r"(Atza\|[\w\-|=+/.]+|Atzr\|[\w\-|=+/.]+|amzn1\.oa2-cs\.v1\.[\w.\-]+)")
_SAFE_KEYS = frozenset({"request_id", "token_kind", "event", "has_token", "refresh_outcome"})


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return _SECRET_VALUE.sub(REDACTED, value)
    if isinstance(value, Mapping):
        return {k: (REDACTED if _is_secret_key(k) else _redact_value(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(v) for v in value]
    return value


def _is_secret_key(key: object) -> bool:
    return isinstance(key, str) and key not in _SAFE_KEYS and bool(_SECRET_KEY.search(key))


def redact_secrets(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        if _is_secret_key(key):
            event_dict[key] = REDACTED
        else:
            event_dict[key] = _redact_value(event_dict[key])
    return event_dict


def _process_name(process: str) -> Processor:
    """Every line says which process wrote it: `make run` interleaves them all in one terminal."""

    def add_process(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        event_dict.setdefault("process", process)
        return event_dict

    return add_process


def _shared_processors(fmt: LogFormat, process: str) -> list[Processor]:
    """What every line goes through, from structlog or from the standard library (uvicorn, Dramatiq,
    alembic, the emulator): the same keys whoever logged it."""
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        _process_name(process),
        # A terminal wants the wall-clock time of day; a log store wants UTC to the microsecond.
        structlog.processors.TimeStamper(fmt="iso", utc=True)
        if fmt == "json"
        else structlog.processors.TimeStamper(fmt="%H:%M:%S", utc=False),
        # Tracebacks become text before redaction, so a secret in an exception message is masked too.
        structlog.processors.format_exc_info,
        redact_secrets,
    ]


def _console_renderer(colors: bool) -> structlog.dev.ConsoleRenderer:
    """structlog's console lines with the process name in a column of its own after the time."""
    renderer = structlog.dev.ConsoleRenderer(colors=colors, exception_formatter=structlog.dev.plain_traceback)
    process = structlog.dev.Column(
        "process",
        structlog.dev.KeyValueColumnFormatter(
            key_style=None,
            value_style=structlog.dev.MAGENTA if colors else "",
            reset_style=structlog.dev.RESET_ALL if colors else "",
            value_repr=str,
            width=_PROCESS_WIDTH,
        ),
    )
    columns = renderer.columns
    after_time = next(i for i, column in enumerate(columns) if column.key == "timestamp") + 1
    renderer.columns = [*columns[:after_time], process, *columns[after_time:]]
    return renderer


def log_formatter(fmt: LogFormat, process: str, *, colors: bool = False) -> logging.Formatter:
    """The formatter of every handler: renders structlog's events and foreign (stdlib) records alike.

    Also usable from a `logging.config.dictConfig` file (`"()": "app.kit.logging.log_formatter"`),
    which is how `spapi-saas dev` gives the emulator, a separate program, the product's format."""
    renderer: Processor = structlog.processors.JSONRenderer() if fmt == "json" else _console_renderer(colors)
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(fmt, process),
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )


def configure_logging(
    level: str = "INFO",
    fmt: LogFormat = "json",
    *,
    process: str = "app",
    exclusive: bool = False,
    stream: TextIO | None = None,
    colors: bool | None = None,
) -> None:
    """Route structlog and the standard library (uvicorn, dramatiq, alembic) through one renderer.

    `process` names this process on every line; `stream` is where lines go (stderr by default);
    `colors` (console lines only) defaults to whether that stream is a terminal."""
    out = stream or sys.stderr
    if colors is None:
        colors = wants_colour(fmt, out)
    structlog.configure(
        # Below-level events are dropped before any processor runs: an access line per request
        # costs ~2% of an orders request's CPU even when LOG_LEVEL hides it.
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared_processors(fmt, process),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(out)
    handler.setFormatter(log_formatter(fmt, process, colors=fmt == "console" and colors))
    handler._spapi_saas = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    # Replace our own handler on reconfiguration; keep others (pytest's log capture, for one) unless
    # told to be the only one (the worker: Dramatiq's command installs a plain-text handler of its own).
    kept = [] if exclusive else [h for h in root.handlers if not getattr(h, "_spapi_saas", False)]
    root.handlers = [*kept, handler]
    root.setLevel(level.upper())
    # Python's warnings are lines too: through the same handler, not printed raw to stderr.
    logging.captureWarnings(True)
    # Libraries that set up handlers of their own (uvicorn's loggers when it configures itself) send
    # their records to the root's handler instead: one format, and the root's level (a uvicorn
    # started earlier in the process with its own log level leaves that level on its loggers).
    for name in ("uvicorn", "uvicorn.error", "dramatiq"):
        library = logging.getLogger(name)
        library.handlers = []
        library.propagate = True
        library.setLevel(logging.NOTSET)
        library.disabled = False
    # Access lines come from our own middleware, with the request id; uvicorn's would duplicate them.
    logging.getLogger("uvicorn.access").disabled = True
    # Chatter below warnings: a line per HTTP call, per SMTP connection (dev's mail catcher), per
    # alembic plugin.
    for noisy in ("httpx", "httpcore", "botocore", "urllib3", "mail.log", "alembic.runtime.plugins"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def dict_config(level: str, fmt: LogFormat, process: str, *, colors: bool = False) -> dict[str, Any]:
    """The same format as a `logging.config.dictConfig` document, for a program that configures
    the standard library only (the emulator, started by `spapi-saas dev` with `--log-config`)."""
    return {
        "version": 1,
        # The program's module loggers exist before it reads this: keep them.
        "disable_existing_loggers": False,
        "formatters": {
            "product": {"()": f"{__name__}.log_formatter", "fmt": fmt, "process": process, "colors": colors}
        },
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "product", "stream": "ext://sys.stderr"}
        },
        "root": {"level": level.upper(), "handlers": ["stderr"]},
    }


def wants_colour(fmt: LogFormat, stream: TextIO) -> bool:
    """Colour only console lines, and only on a terminal (https://no-color.org turns it off)."""
    return fmt == "console" and not os.environ.get("NO_COLOR") and stream.isatty()
