"""Capturing structlog events in tests: every event, at every level, as a dict."""

from __future__ import annotations

import logging
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

import structlog


def configure_quiet_logs() -> None:
    """The suites' logging: warnings and errors only, printed with plain tracebacks.

    structlog's default renderer draws tracebacks with ``rich`` when it is installed (the
    test extra's llmock brings it): tens of milliseconds each, which made a suite full of
    deliberate failures several times slower and starved the timing-bound tests."""
    structlog.configure(
        processors=[
            *structlog.get_config()["processors"][:-1],  # the defaults, but the renderer
            structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
    )


@contextmanager
def logged() -> Iterator[list[MutableMapping[str, Any]]]:
    """Every structlog event, at every level, as a dict (the exception object kept);
    the previous structlog configuration is restored afterwards."""
    previous = structlog.get_config()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG))
    try:
        with structlog.testing.capture_logs() as logs:
            yield logs
    finally:
        structlog.configure(**previous)
