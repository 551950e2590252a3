"""What a supervisor decided about one of its children, told to the child's observer.

A :class:`~actorview.supervisor.ChildSpec` with an ``observer`` hears one
:data:`ChildEvent` per decision, synchronously in the supervisor's task, at the moment it
is taken (before any backoff delay). The union is closed: dispatch over it with
``match`` and ``typing.assert_never``. The endpoint turns these into the notices a page
shows (reloaded, waiting, stopped).
"""

from __future__ import annotations

from typing import TypeAlias

import attrs


@attrs.frozen
class Restarting:
    """The child ended with ``error`` (``None``: it returned) and is started again after
    ``delay`` seconds. ``was_up``: the instance that ended had reported started (a
    crash); False when a restart failed to start."""

    error: Exception | None
    delay: float
    was_up: bool


@attrs.frozen
class Waiting:
    """A start failed with one of the spec's ``waits_on`` errors (a dependency is down): it
    is tried again after ``delay`` seconds, and counted in no restart intensity."""

    error: Exception
    delay: float


@attrs.frozen
class GaveUp:
    """The child needed restart number ``max_restarts + 1`` within ``period`` seconds of
    its own intensity: it is stopped for good (its supervisor carries on). ``error`` is
    the one that ended its last instance."""

    error: Exception | None
    max_restarts: int
    period: float


ChildEvent: TypeAlias = Restarting | Waiting | GaveUp
