"""What a follower of a job hears: a closed union of three events, in the order the
job's owner made them.

A run is told as ``Started``, then its ``Part`` s (``index`` 0, 1, 2, ... with no gap),
then one ``Ended``; a job (one key) has one run after another, each one's events after
the previous one's ``Ended``.
"""

from __future__ import annotations

import enum

import attrs


class Outcome(enum.Enum):
    """How a run ended."""

    DONE = "done"
    """The body returned."""
    FAILED = "failed"
    """The body raised (``Ended.error`` says what)."""
    CANCELLED = "cancelled"
    """A cancel, or a newer run of the same key (supersede), ended it."""
    LOST = "lost"
    """Its owner's lease expired (the worker died or lost Redis): a sweep marked it
    failed, visibly, instead of running it again (docs/JOBS.md says why)."""


@attrs.frozen
class Started:
    """A run of the job began (``run``: its id, unique across the cluster)."""

    run: str


@attrs.frozen
class Part:
    """The run's ``index``-th emitted message (0 first)."""

    run: str
    index: int
    message: object


@attrs.frozen
class Ended:
    """The run ended; ``error`` and ``error_type`` are set for FAILED and LOST."""

    run: str
    outcome: Outcome
    error: str = ""
    error_type: str = ""


JobEvent = Started | Part | Ended
