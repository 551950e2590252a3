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

A child may carry its own restart intensity (``max_restarts``, ``period``): it is then
its own restart domain, as if it ran under a one-child supervisor of its own, so a
crash loop is contained at the child and never reaches its supervisor's intensity. A
:class:`Backoff` spaces its restarts out; ``waits_on`` names the errors of a start that
mean a dependency is down (retried with the backoff, not counted as crashes); an
``observer`` hears each decision (:data:`~actorview.supervisor._events.ChildEvent`)::

    spec = ChildSpec(
        "view", start_view, restart=Restart.TRANSIENT,
        max_restarts=3, period=5.0, backoff=Backoff(), waits_on=(ConnectionError,),
    )
"""

from __future__ import annotations

import math
import random
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any, Final, Generic, Protocol, TypeVar

import attrs
import trio

from actorview.supervisor._events import ChildEvent

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


def _positive_seconds(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"{attribute.name} must be a finite number of seconds > 0, not {value!r}")


@attrs.frozen
class Backoff:
    """How long a child waits before it is started again: exponential, with jitter, capped.

    Restart number ``n`` since the child last came up (reported started) waits
    ``min(max, initial * factor ** (n - 1))`` seconds, less a random part of up to
    ``jitter`` of it (so children that failed together do not all come back in the same
    instant). The count starts again once an instance reports started: the first
    restart after a crash of a running child waits ``initial``, and a child that keeps
    failing to start waits longer each time, up to ``max``.

    The defaults (0.1 s doubling up to 10 s, a quarter of jitter) bring a view that
    crashed once back at once, to the eye, and retry a dependency that is down about
    every 10 s once it has been down for half a minute.

    The wait is the supervisor's, not the child's: it holds no lock, the supervisor goes
    on handling other children meanwhile, and stopping the supervisor (or
    :meth:`~actorview.supervisor.Supervisor.terminate_child` of the child) cancels it.
    """

    initial: float = attrs.field(default=0.1, converter=float, validator=_positive_seconds)
    factor: float = attrs.field(default=2.0, converter=float)
    max: float = attrs.field(default=10.0, converter=float, validator=_positive_seconds)
    jitter: float = attrs.field(default=0.25, converter=float)

    @factor.validator
    def _check_factor(self, _: attrs.Attribute[float], value: float) -> None:
        if not (value >= 1 and math.isfinite(value)):
            raise ValueError(f"Backoff.factor must be a finite number >= 1, not {value!r}")

    @jitter.validator
    def _check_jitter(self, _: attrs.Attribute[float], value: float) -> None:
        if not 0 <= value < 1:
            raise ValueError(f"Backoff.jitter must be in [0, 1) (a fraction), not {value!r}")

    def __attrs_post_init__(self) -> None:
        if self.max < self.initial:
            raise ValueError(
                f"Backoff.max ({self.max:g} s) must be >= Backoff.initial ({self.initial:g} s)"
            )

    def ceiling(self, n: int) -> float:
        """The longest wait before restart number ``n`` (>= 1) since the child came up."""
        if n < 1:
            raise ValueError(f"restart numbers count from 1, not {n!r}")
        exponent = min(n - 1, 1024)  # factor ** 1024 is past any cap (or inf, capped too)
        try:
            grown = self.initial * self.factor**exponent
        except OverflowError:
            grown = math.inf
        return min(self.max, grown)

    def delay(self, n: int, rng: random.Random | None = None) -> float:
        """The wait before restart number ``n``: in ``[(1 - jitter) * c, c]``, ``c`` the
        :meth:`ceiling`."""
        ceiling = self.ceiling(n)
        draw = (rng or random).random()
        return ceiling * (1 - self.jitter * draw)


def _backoff_or_none(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, Backoff):
        raise TypeError(f"ChildSpec.backoff must be a Backoff or None, not {value!r}")


def _max_restarts_or_none(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        raise ValueError(
            f"ChildSpec.max_restarts must be an int >= 0 (the child's own restart "
            f"intensity) or None (its restarts count in its supervisor's), not {value!r}"
        )


def _exception_types(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(
        isinstance(kind, type) and issubclass(kind, Exception) for kind in value
    ):
        raise TypeError(
            f"ChildSpec.waits_on must be a tuple of Exception subclasses, such as "
            f"(ConnectionError, TimeoutError), not {value!r}"
        )


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
    ``max_restarts``, ``period``
        The child's own restart intensity: at most ``max_restarts`` restarts in any
        ``period`` seconds (a restart that fails to start counts as crashing again).
        The next crash stops it for good (:attr:`ChildState.FAILED`, an event
        :class:`~actorview.supervisor._events.GaveUp`); its supervisor carries on, and
        its siblings are not touched. Its restarts are counted in this window only,
        never in the supervisor's: one child's crash loop cannot use up the intensity
        its siblings share. ``None`` (the default): its restarts count in the
        supervisor's window, and exceeding that makes the supervisor give up (OTP).
    ``backoff``
        Wait before each restart (:class:`Backoff`); ``None`` (the default) restarts at
        once. The child is :attr:`ChildState.DELAYED` meanwhile.
    ``waits_on``
        Errors that mean a dependency of the child is down, not that the child is
        broken (a database that does not answer). A start that fails with one of them
        (the child never came up) is retried after the backoff delay for as long as it
        takes, counted in no restart intensity; :meth:`Supervisor.start_child` then
        raises :class:`~actorview.supervisor.ChildWaiting` and keeps the child. Needs a
        ``backoff`` (else a dependency that is down would be retried in a busy loop).
        The children given to a supervisor at construction must still start: for them
        such an error fails :meth:`Supervisor.run`, as any other.
    ``observer``
        Called with a :data:`~actorview.supervisor._events.ChildEvent` each time the
        supervisor decides to restart the child, to wait for its dependency, or to give
        up on it; synchronously, in the supervisor's task, so it must not block (an
        error it raises is logged and ignored). The endpoint uses it to tell the page.
    """

    id: str = attrs.field(validator=_non_empty)
    start: StartFunction[H]
    restart: Restart = attrs.field(
        default=Restart.PERMANENT, validator=attrs.validators.instance_of(Restart)
    )
    shutdown: float = attrs.field(default=5.0, converter=float, validator=_non_negative_seconds)
    max_restarts: int | None = attrs.field(default=None, validator=_max_restarts_or_none)
    period: float = attrs.field(default=5.0, converter=float, validator=_positive_seconds)
    backoff: Backoff | None = attrs.field(default=None, validator=_backoff_or_none)
    waits_on: tuple[type[Exception], ...] = attrs.field(default=(), validator=_exception_types)
    observer: Callable[[ChildEvent], object] | None = attrs.field(default=None, eq=False)

    def __attrs_post_init__(self) -> None:
        if self.waits_on and self.backoff is None:
            raise ValueError(
                f"ChildSpec {self.id!r}: waits_on={self.waits_on!r} needs a backoff "
                f"(backoff=Backoff()); without one a dependency that is down would be "
                f"retried in a busy loop"
            )

    def waits_for_dependency(self, error: Exception | None, *, was_up: bool) -> bool:
        """Whether an instance that ended with ``error`` failed to start for a dependency."""
        return not was_up and error is not None and isinstance(error, self.waits_on)

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
