"""What a supervisor is told about a child: :class:`ChildSpec` and :class:`Restart`.

A child is any async callable ``start(*, task_status)`` that calls
``task_status.started(handle)`` once it is up (an :class:`~actorview.mailbox.Actor`'s
``run`` does). The handle is what :meth:`Supervisor.start_child` returns and what the
registry holds; if it has a synchronous ``request_stop()``, shutdown uses it::

    async def ticker(*, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        task_status.started()
        while True:
            await trio.sleep(1)

    spec = ChildSpec("ticker", ticker, restart=Restart.TRANSIENT, shutdown=CANCEL_AT_ONCE)
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any, Final, Generic, Protocol, TypeVar

import attrs
import trio

H = TypeVar("H")
H_co = TypeVar("H_co", covariant=True)

CANCEL_AT_ONCE: Final = 0.0
"""``shutdown=CANCEL_AT_ONCE``: on shutdown, cancel the child at once without asking it."""

WAIT_FOREVER: Final = math.inf
"""``shutdown=WAIT_FOREVER``: ask the child to stop and wait for as long as it takes.

The right value for a child that is itself a supervisor (its own children's grace
periods bound how long it takes).
"""


class StartFunction(Protocol[H_co]):
    """``async def start(*, task_status)``: runs a child; calls ``task_status.started(handle)``."""

    def __call__(self, *, task_status: trio.TaskStatus[H_co]) -> Awaitable[object]: ...


class Runnable(Protocol[H_co]):
    """An object with ``async run(*, task_status)`` following the child protocol (an Actor)."""

    def run(self, *, task_status: trio.TaskStatus[H_co]) -> Awaitable[object]: ...


class Restart(Enum):
    """When a child that ended is started again."""

    PERMANENT = "permanent"
    """Always restarted, whether it raised or returned."""

    TRANSIENT = "transient"
    """Restarted only if it raised; a normal return (or being stopped) ends it for good."""

    TEMPORARY = "temporary"
    """Never restarted; removed from its supervisor as soon as it ends."""

    def restarts_after(self, error: BaseException | None) -> bool:
        """Whether a child that ended with ``error`` (``None``: it returned) restarts."""
        if self is Restart.PERMANENT:
            return True
        return self is Restart.TRANSIENT and error is not None


def _non_negative_seconds(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value >= 0:  # also rejects NaN
        raise ValueError(
            f"ChildSpec.{attribute.name} must be a number of seconds >= 0 "
            f"(CANCEL_AT_ONCE, a grace period or WAIT_FOREVER), not {value!r}"
        )


def _non_empty(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError(f"ChildSpec.{attribute.name} must be a non-empty str, not {value!r}")


@attrs.frozen
class ChildSpec(Generic[H]):
    """How to run one child, and what to do when it ends.

    ``id``
        Unique among the supervisor's children; also the child's name in the registry.
    ``start``
        ``async start(*, task_status)``; called afresh for every (re)start. It must call
        ``task_status.started(handle)`` once the child is up. An exception before that
        is a failed start; one after it is a crash.
    ``restart``
        When the child is started again after it ends (see :class:`Restart`).
    ``shutdown``
        Seconds of grace when the supervisor stops this child: if the handle has a
        synchronous ``request_stop()``, it is called and the child gets up to this long
        to return; then (or at once, if the handle has no ``request_stop``, or with
        ``CANCEL_AT_ONCE``) the child's cancel scope is cancelled and the supervisor
        waits for it to end. ``WAIT_FOREVER`` never cancels. Default 5 s.
    """

    id: str = attrs.field(validator=_non_empty)
    start: StartFunction[H]
    restart: Restart = attrs.field(
        default=Restart.PERMANENT, validator=attrs.validators.instance_of(Restart)
    )
    shutdown: float = attrs.field(default=5.0, converter=float, validator=_non_negative_seconds)

    @classmethod
    def actor(
        cls,
        id: str,
        factory: Callable[[], Runnable[H]],
        *,
        restart: Restart = Restart.PERMANENT,
        shutdown: float = 5.0,
    ) -> ChildSpec[H]:
        """A child that runs ``factory().run(task_status=...)``: a fresh object per (re)start.

        A restarted actor starts from a clean state, as in OTP, because ``factory`` builds
        a new one each time (pass the class itself, or a ``functools.partial`` of it).
        """

        async def start_fresh(*, task_status: trio.TaskStatus[Any]) -> None:
            await factory().run(task_status=task_status)

        return cls(id, start_fresh, restart=restart, shutdown=shutdown)
