"""Structured logging: one structlog logger per actor, with its identity bound.

The library never configures logging on import; an application calls
:func:`configure_logging` once (the demo does) or configures structlog itself.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

_ROOT_NAME = "actorview"


def get_logger(**bound: Any) -> Any:
    """A structlog logger for actorview with ``bound`` key-values on every event.

    Lazy: it takes the configuration in force when it first logs, so module-level loggers
    follow a :func:`configure_logging` call made after import.
    """
    return structlog.get_logger(_ROOT_NAME, **bound)


def configure_logging(level: int | str = "INFO", *, json: bool = False) -> None:
    """Configure structlog for an application: readable on a terminal, JSON on request.

    Per-message and per-token events are logged at debug, so ``INFO`` keeps a busy
    server quiet.
    """
    numeric = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
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
