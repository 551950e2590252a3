"""Capturing structlog events in tests: every event, at every level, as a dict."""

from __future__ import annotations

import logging
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

import structlog


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
