"""Structured logging: one structlog logger per actor, with its identity bound.

The library never configures logging on import. Where the application configures
structlog (itself, or with :func:`configure_logging`, as the demo does), actorview's
events follow that configuration. Where it does not, they go through the standard
``logging`` module as the ``actorview`` logger, as ``key=value`` text with every field
kept, so the host's ``logging`` handlers and levels apply; a ``NullHandler`` on that
logger keeps a library quiet (nothing printed, debug included) until the host
configures ``logging``.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

from actorview.errors import ExpectedFailure

_ROOT_NAME = "actorview"
logging.getLogger(_ROOT_NAME).addHandler(logging.NullHandler())

_STDLIB_PROCESSORS: list[Any] = [
    structlog.stdlib.filter_by_level,
    structlog.contextvars.merge_contextvars,
    structlog.processors.format_exc_info,
    structlog.processors.KeyValueRenderer(key_order=["event"]),
]
"""Without a structlog configuration: drop what the ``actorview`` logger's level drops
before any work, then write the event and its fields as the stdlib record's message."""


class _Logger:
    """A logger that picks, each time it logs, structlog's configuration if the
    application made one, else the standard ``logging`` module (see the module doc)."""

    __slots__ = ("_bound",)

    def __init__(self, bound: dict[str, Any]) -> None:
        self._bound = bound

    def bind(self, **more: Any) -> _Logger:
        return _Logger({**self._bound, **more})

    def __getattr__(self, name: str) -> Any:
        if structlog.is_configured():
            logger = structlog.get_logger(_ROOT_NAME, **self._bound)
        else:
            logger = structlog.wrap_logger(
                logging.getLogger(_ROOT_NAME),
                processors=_STDLIB_PROCESSORS,
                wrapper_class=structlog.stdlib.BoundLogger,
                **self._bound,
            )
        return getattr(logger, name)


def get_logger(**bound: Any) -> Any:
    """A structlog logger for actorview with ``bound`` key-values on every event.

    Lazy: each event takes the configuration in force when it is logged, so module-level
    loggers follow a :func:`configure_logging` (or ``structlog.configure``) call made
    after import.
    """
    return _Logger(bound)


def log_failure(log: Any, event: str, error: BaseException) -> None:
    """Log that a run (a stream's, a job's) failed with ``error``, as ``event``.

    An :class:`~actorview.errors.ExpectedFailure` (a rate limit, a refused key: part of
    normal operation) is a warning naming its ``reason``, its text and its cause's text,
    with no traceback; anything else is an error with its traceback, since it is a bug
    to find. Never raises for a well-formed ``error``.
    """
    if isinstance(error, ExpectedFailure):
        cause = error.__cause__
        log.warning(
            event,
            reason=error.reason,
            error=str(error),
            cause="" if cause is None else f"{type(cause).__name__}: {cause}"[:300],
        )
    else:
        log.error(event, exc_info=error)


def configure_logging(level: int | str = "INFO", *, json: bool = False) -> None:
    """Configure structlog for an application: readable on a terminal, JSON on request.

    Per-message and per-token events are logged at debug, so ``INFO`` keeps a busy
    server quiet. Tracebacks are plain text even where ``rich`` is installed: rich's
    highlighted ones take tens of milliseconds each, on the event loop, and a burst of
    failures (a model server that is down) would stall every session of the process.
    """
    numeric = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
