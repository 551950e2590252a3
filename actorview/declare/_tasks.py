"""``async_stream``: streaming tasks the view's runtime owns, with real cancellation.

A view declares a stream with the messages it may send::

    @async_stream(emits=(Chunk, Done))
    async def llm(prompt: str, token_delay: float, emit: Emit) -> None:
        async for token in fake_reply(prompt, token_delay):
            await emit(Chunk(token))
        await emit(Done())

The body is a plain async function, not a method: it gets values (by parameter name,
from ``ops.fire`` arguments or the view's fields and calcs) and an ``emit`` function, and
can change the view only by emitting messages its clauses handle.

A stream declared with ``max_runs=N`` is *keyed*: it runs under as many keys at once as
the view fires (``ops.fire("agent", key=lambda name: name, ...)``), at most ``N`` live at a
time. Each key is its own unkeyed stream: a fire of a live key supersedes (or queues, or
is refused, as ``on_busy`` says) only that key's run; ``ops.cancel("agent", key=...)``
ends one run, ``ops.cancel("agent")`` all of them; a clause reads the key of the run that
emitted the message it handles as the name ``run_key``, and :class:`StreamFailed` carries
it as ``key``. A fire of a new key while ``N`` runs are live is refused with
:class:`~actorview.declare._errors.StreamBusy` (the action changes nothing).

A stream may start itself (``start=``, :class:`Start`): when the view starts, each time
its browser connects (cancelled when it disconnects), or when the browser goes away; with
``every=seconds`` it is fired again on that period (a tick while a run is live is
skipped). Its parameters are then read from the view's fields and calcs.

What a run does (fire, supersede, cancel, fail) is the view's runtime:
:mod:`actorview.view._tasks`. A body that raises fails its run. If the view has a clause
for :class:`StreamFailed` that can take this stream's failures (its ``match`` names this
stream, or no stream), the failure is delivered to it as a message, and what the page
shows is the view's business. Otherwise the page shows the runtime's default notice
(:data:`~actorview.view._notices.STREAM_FAILED_TEXT`), and the validator warns when the
class is defined (:class:`~actorview.declare._errors.MissingFailureClause`) unless the
stream says ``on_failure="notice"``.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal

import attrs

from actorview.declare._declarations import Declaration

Emit = Callable[[Any], Awaitable[None]]
"""``await emit(message)``: send a message to the view under the run's lease.

It waits while the view's mailbox is full (backpressure), raises
:class:`~actorview.view.EmitError` for a type not in ``emits=``, and does nothing once the
run was cancelled or superseded (the run's task is being cancelled anyway).
"""

Body = Callable[..., Awaitable[None]]
OnBusyName = Literal["supersede", "queue", "refuse"]
OnFailureName = Literal["clause", "notice"]
StartName = Literal["mount", "connect", "disconnect"]

RUN_KEY = "run_key"
"""The name a clause's expressions read the emitting run's key by (keyed streams)."""


class OnBusy(enum.Enum):
    """What ``fire`` does while a run of the same stream is live."""

    SUPERSEDE = "supersede"
    """Cancel the live run (its messages are dropped), then start the new one."""
    QUEUE = "queue"
    """Start the new run when the live one has ended (done or failed)."""
    REFUSE = "refuse"
    """Refuse the fire with :class:`~actorview.view.StreamBusy`; the action changes nothing."""


class OnFailure(enum.Enum):
    """What the view means to happen when a run of the stream fails."""

    CLAUSE = "clause"
    """A clause for :class:`StreamFailed` handles it. Without one, the page shows the
    default notice and the class definition warns (:class:`MissingFailureClause`)."""
    NOTICE = "notice"
    """The runtime's default notice is what is meant: no clause expected, no warning (a
    clause for its :class:`StreamFailed`, if there is one, still takes precedence)."""


class Start(enum.Enum):
    """When a stream fires itself (``async_stream(..., start=...)``)."""

    MOUNT = "mount"
    """When the view starts, before its first render is sent."""
    CONNECT = "connect"
    """Each time a browser connects; the run (and its timer) is cancelled when it goes."""
    DISCONNECT = "disconnect"
    """Each time the browser goes away (to save, to clean up)."""


@attrs.frozen
class StreamFailed:
    """A run's body raised ``error_type: error``; handle it with a clause.

    ``key`` is the run's key for a keyed stream (``None`` otherwise).

    Match on the stream: ``clause(StreamFailed, ..., match={"stream": "llm"})``. Such a
    clause replaces the runtime's default notice for that stream's failures; a clause
    with no ``stream`` in its ``match`` takes every stream's. ``error`` is the exception's
    text, for the log or the view's own markup: it may hold details the person at the
    page should not see.
    """

    stream: str
    run: int
    error: str
    error_type: str
    key: Any = None


class StreamTask(Declaration):
    """The declaration of a stream (made by :func:`async_stream`).

    Attributes:
        body: the async function; ``params`` are its parameters other than ``emit``.
        emits: the message types it may emit.
        on_busy: what ``fire`` does while a run is live (:class:`OnBusy`).
        on_failure: what a failed run should lead to (:class:`OnFailure`).
        max_runs: for a keyed stream, the most runs live at once; ``None``: unkeyed.
        start: when it fires itself (:class:`Start`), or ``None``.
        every: seconds between the fires it makes itself, or ``None``.
        name: the attribute name, set when the class is created.
    """

    label = "async_stream"
    """What the declaration is called in errors (``"job"`` for a job)."""

    def __init__(
        self,
        body: Body,
        emits: tuple[type, ...],
        on_busy: OnBusy,
        on_failure: OnFailure = OnFailure.CLAUSE,
        *,
        max_runs: int | None = None,
        start: Start | None = None,
        every: float | None = None,
    ) -> None:
        self.body = body
        self.emits = emits
        self.on_busy = on_busy
        self.on_failure = on_failure
        self.max_runs = max_runs
        self.start = start
        self.every = every
        self._declare()
        parameters = inspect.signature(body).parameters
        self.params = tuple(name for name in parameters if name != "emit")
        self.takes_emit = "emit" in parameters
        self.takes_key = "key" in parameters

    @property
    def keyed(self) -> bool:
        """Whether its runs live under keys (it was declared with ``max_runs``)."""
        return self.max_runs is not None

    def __repr__(self) -> str:
        emitted = ", ".join(t.__name__ for t in self.emits)
        return f"async_stream({self.body.__name__}, emits=({emitted}))"


def async_stream(
    *,
    emits: tuple[type, ...],
    on_busy: OnBusy | OnBusyName = OnBusy.SUPERSEDE,
    on_failure: OnFailure | OnFailureName = OnFailure.CLAUSE,
    max_runs: int | None = None,
    start: Start | StartName | None = None,
    every: float | None = None,
) -> Callable[[Body], StreamTask]:
    """Declare a streaming task of the view (use as a decorator in the class body).

    Args:
        emits: every message type the body may emit; each needs a clause in the view,
            and emitting any other type fails the run with :class:`EmitError`.
        on_busy: ``"supersede"`` (default), ``"queue"`` or ``"refuse"`` (:class:`OnBusy`).
        on_failure: ``"clause"`` (default: the view has a clause for this stream's
            :class:`StreamFailed`; without one the class definition warns) or
            ``"notice"`` (a failed run shows the runtime's default notice, by intent).
        max_runs: make the stream keyed, with at most this many runs live at once (each
            fire names its ``key``; a fire of a new key past the bound is refused with
            :class:`~actorview.declare._errors.StreamBusy`).
        start: ``"mount"``, ``"connect"`` or ``"disconnect"`` (:class:`Start`): fire it
            when the view starts, when a browser connects (cancelled when it goes), or
            when the browser goes away. Not for keyed streams.
        every: fire it again every this many seconds (from ``start``, ``"mount"`` when
            not given; while connected for ``"connect"``); a tick while a run is live
            is skipped, so slow runs never pile up.

    The body's parameters other than ``emit`` are filled when the run is fired: from the
    ``ops.fire`` arguments, else from the view's field or calc of that name. A keyed
    stream's body may take ``key``: its run's key.

    Example, three agents answering at once, and a log tail that starts itself::

        @async_stream(emits=(Token, Answered), max_runs=8)
        async def agent(key: str, question: str, emit: Emit) -> None: ...

        ask = action(ops.fire("agent", key="alice", question=lambda q: q), params=Ask)
        on_token = clause(Token, ops.append(alice=lambda text: text),
                          when=lambda run_key: run_key == "alice")

        @async_stream(emits=(Line,), start="connect", every=5.0)
        async def tail(path: str, emit: Emit) -> None: ...
    """
    problem = None
    try:
        busy = on_busy if isinstance(on_busy, OnBusy) else OnBusy(on_busy)
    except ValueError:
        busy = OnBusy.SUPERSEDE
        problem = f"async_stream(on_busy={on_busy!r}): use 'supersede', 'queue' or 'refuse'."
    try:
        failure = on_failure if isinstance(on_failure, OnFailure) else OnFailure(on_failure)
    except ValueError:
        failure = OnFailure.CLAUSE
        problem = f"async_stream(on_failure={on_failure!r}): use 'clause' or 'notice'."
    starts: Start | None
    try:
        starts = start if start is None or isinstance(start, Start) else Start(start)
    except ValueError:
        starts = None
        problem = f"async_stream(start={start!r}): use 'mount', 'connect' or 'disconnect'."
    if max_runs is not None and (
        isinstance(max_runs, bool) or not isinstance(max_runs, int) or max_runs < 1
    ):
        problem = f"async_stream(max_runs={max_runs!r}): give a whole number of runs, 1 or more."
    if every is not None and (
        isinstance(every, bool) or not isinstance(every, (int, float)) or not every > 0
    ):
        problem = f"async_stream(every={every!r}): give a period in seconds, more than 0."
    if every is not None and starts is None:
        starts = Start.MOUNT
    if starts is not None and max_runs is not None:
        problem = (
            f"async_stream(max_runs={max_runs!r}, start={starts.value!r}): a keyed stream "
            f"runs under the keys its fires name, so it cannot start itself. Drop start= "
            f"(and every=), or drop max_runs= to start one unkeyed run."
        )

    def declare(body: Body) -> StreamTask:
        declared = StreamTask(
            body,
            tuple(emits),
            busy,
            failure,
            max_runs=max_runs,
            start=starts,
            every=None if every is None else float(every),
        )
        declared.problem = problem
        if not inspect.iscoroutinefunction(body):
            declared.problem = (
                f"async_stream({getattr(body, '__name__', body)}): the body must be an "
                f"`async def` function taking values and `emit`."
            )
        return declared

    return declare


def takes_failures_of(match: Mapping[str, Any], stream: str) -> bool:
    """Whether a clause for :class:`StreamFailed` with this ``match`` can take the
    failures of ``stream``: its ``match`` names that stream, or no stream. (Its guard, or
    a match on another field, may still turn one down: the view then shows the default
    notice for it, see ``View.unhandled``.)"""
    if "stream" not in match:
        return True
    expected = match["stream"]
    return isinstance(stream, expected) if isinstance(expected, type) else bool(stream == expected)
