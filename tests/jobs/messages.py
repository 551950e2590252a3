"""The message the chaos test's jobs emit (a module of its own, so the owner process
and the test name its type alike: ``tests.jobs.messages.Tok``)."""

from __future__ import annotations

import attrs


@attrs.frozen
class Tok:
    """Part ``index`` of the job under ``key``."""

    key: str
    index: int
