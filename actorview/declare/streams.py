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

Each ``fire`` makes a :class:`Run`: a task in the view's own nursery, inside a cancel scope
the runtime owns, whose messages go to the mailbox under the run's own
:class:`~actorview.mailbox.Lease`. Cancelling a run revokes the lease first, so nothing it
emitted is handled afterwards, even messages already queued; then it cancels the scope
and waits for the task to end.

A body that raises fails its run (logged at error, with the traceback). If the view has a
clause for :class:`StreamFailed` that can take this stream's failures (its ``match`` names
this stream, or no stream), the failure is delivered to it as a message, and what the page
shows is the view's business. Otherwise the page shows the runtime's default notice
(:data:`~actorview.view.notices.STREAM_FAILED_TEXT`, through the view's notice sink), and
the validator warns when the class is defined (:class:`~actorview.view.MissingFailureClause`)
unless the stream says ``on_failure="notice"``. A cancelled or superseded run that fails
while unwinding reports nothing.
"""

from __future__ import annotations

import contextlib
import enum
import inspect
import itertools
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal

import attrs
import trio

from actorview.declare.declarations import Declaration
from actorview.declare.errors import EmitError, StreamBusy
from actorview.mailbox import ActorStopped, Lease

Emit = Callable[[Any], Awaitable[None]]
"""``await emit(message)``: send a message to the view under the run's lease.

It waits while the view's mailbox is full (backpressure), raises
:class:`~actorview.view.EmitError` for a type not in ``emits=``, and does nothing once the
run was cancelled or superseded (the run's task is being cancelled anyway).
"""

Body = Callable[..., Awaitable[None]]
OnBusyName = Literal["supersede", "queue", "refuse"]
OnFailureName = Literal["clause", "notice"]


class OnBusy(enum.Enum):
    """What ``fire`` does while a run of the same stream is live."""

    SUPERSEDE = "supersede"
    """Cancel the live run (its messages are dropped), then start the new one."""
    QUEUE = "queue"
    """Start the new run when the live one has ended (done or failed)."""
    REFUSE = "refuse"
    """Refuse the fire with :class:`~actorview.view.StreamBusy`; the action changes nothing."""


class RunState(enum.Enum):
    """Where a run is in its life."""

    PENDING = "pending"
    """Fired, its task not started yet (or waiting in the queue)."""
    RUNNING = "running"
    """Its body is running and may emit."""
    CANCELLED = "cancelled"
    """Cancelled or superseded: it has ended and nothing it emitted will be handled."""
    FAILED = "failed"
    """Its body raised; a :class:`StreamFailed` was sent to the view."""
    DONE = "done"
    """Its body returned."""

    @property
    def ended(self) -> bool:
        return self in (RunState.CANCELLED, RunState.FAILED, RunState.DONE)


class OnFailure(enum.Enum):
    """What the view means to happen when a run of the stream fails."""

    CLAUSE = "clause"
    """A clause for :class:`StreamFailed` handles it. Without one, the page shows the
    default notice and the class definition warns (:class:`MissingFailureClause`)."""
    NOTICE = "notice"
    """The runtime's default notice is what is meant: no clause expected, no warning (a
    clause for its :class:`StreamFailed`, if there is one, still takes precedence)."""


@attrs.frozen
class StreamFailed:
    """A run's body raised ``error_type: error``; handle it with a clause.

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


class AsyncStream(Declaration):
    """The declaration of a stream (made by :func:`async_stream`).

    Attributes:
        body: the async function; ``params`` are its parameters other than ``emit``.
        emits: the message types it may emit.
        on_busy: what ``fire`` does while a run is live (:class:`OnBusy`).
        on_failure: what a failed run should lead to (:class:`OnFailure`).
        name: the attribute name, set when the class is created.
    """

    def __init__(
        self,
        body: Body,
        emits: tuple[type, ...],
        on_busy: OnBusy,
        on_failure: OnFailure = OnFailure.CLAUSE,
    ) -> None:
        self.body = body
        self.emits = emits
        self.on_busy = on_busy
        self.on_failure = on_failure
        self._declare()
        parameters = inspect.signature(body).parameters
        self.params = tuple(name for name in parameters if name != "emit")
        self.takes_emit = "emit" in parameters

    def __repr__(self) -> str:
        emitted = ", ".join(t.__name__ for t in self.emits)
        return f"async_stream({self.body.__name__}, emits=({emitted}))"


def async_stream(
    *,
    emits: tuple[type, ...],
    on_busy: OnBusy | OnBusyName = OnBusy.SUPERSEDE,
    on_failure: OnFailure | OnFailureName = OnFailure.CLAUSE,
) -> Callable[[Body], AsyncStream]:
    """Declare a streaming task of the view (use as a decorator in the class body).

    Args:
        emits: every message type the body may emit; each needs a clause in the view,
            and emitting any other type fails the run with :class:`EmitError`.
        on_busy: ``"supersede"`` (default), ``"queue"`` or ``"refuse"`` (:class:`OnBusy`).
        on_failure: ``"clause"`` (default: the view has a clause for this stream's
            :class:`StreamFailed`; without one the class definition warns) or
            ``"notice"`` (a failed run shows the runtime's default notice, by intent).

    The body's parameters other than ``emit`` are filled when the run is fired: from the
    ``ops.fire`` arguments, else from the view's field or calc of that name.
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

    def declare(body: Body) -> AsyncStream:
        declared = AsyncStream(body, tuple(emits), busy, failure)
        declared.problem = problem
        if not inspect.iscoroutinefunction(body):
            declared.problem = (
                f"async_stream({getattr(body, '__name__', body)}): the body must be an "
                f"`async def` function taking values and `emit`."
            )
        return declared

    return declare


_run_ids = itertools.count(1)

Tell = Callable[[Any, Lease], Awaitable[None]]
Unhandled = Callable[[StreamFailed], None]
"""Called, in the run's task, for a failure no clause of the view takes."""


def takes_failures_of(match: Mapping[str, Any], stream: str) -> bool:
    """Whether a clause for :class:`StreamFailed` with this ``match`` can take the
    failures of ``stream``: its ``match`` names that stream, or no stream. (Its guard, or
    a match on another field, may still turn one down: the view then shows the default
    notice for it, see ``View.unhandled``.)"""
    if "stream" not in match:
        return True
    expected = match["stream"]
    return isinstance(stream, expected) if isinstance(expected, type) else bool(stream == expected)


class Run:
    """One run of a stream: its identity, lease, cancel scope and state.

    Attributes:
        id: unique in the process; carried by :class:`StreamFailed`.
        state: a :class:`RunState`.
        lease: the lease its messages are told under.
        error: the exception its body raised, if it failed.
    """

    def __init__(self, stream: str, args: Mapping[str, Any]) -> None:
        self.id = next(_run_ids)
        self.stream = stream
        self.args = dict(args)
        self.state = RunState.PENDING
        self.lease = Lease(f"{stream}#{self.id}")
        self.scope = trio.CancelScope()
        self.ended = trio.Event()
        self.error: BaseException | None = None

    def __repr__(self) -> str:
        return f"<Run {self.stream}#{self.id} {self.state.value}>"


class StreamRunner:
    """A view instance's handle on one declared stream: fires, cancels, tracks runs.

    The view makes one per stream when it starts; ``view.streams["llm"]`` is it.
    """

    def __init__(
        self,
        declaration: AsyncStream,
        nursery: trio.Nursery,
        tell: Tell,
        log: Any,
        failure_handled: bool,
        unhandled: Unhandled,
    ) -> None:
        """``failure_handled``: a clause of the view takes this stream's
        :class:`StreamFailed` (then a failure is told to the view); otherwise
        ``unhandled`` is called with it (the view shows its default notice)."""
        self.declaration = declaration
        self.name = declaration.name
        self._nursery = nursery
        self._tell = tell
        self._log = log
        self._failure_handled = failure_handled
        self._unhandled = unhandled
        self._queue: deque[Run] = deque()
        self.current: Run | None = None
        """The latest run fired (live or ended), or ``None``."""

    @property
    def state(self) -> RunState | None:
        """The current run's state, or ``None`` before the first fire."""
        return None if self.current is None else self.current.state

    @property
    def busy(self) -> bool:
        """Whether a run is live (pending or running)."""
        return self.current is not None and not self.current.state.ended

    def revoke(self) -> None:
        """Sync: drop, from now on, every message of the live and queued runs."""
        if self.current is not None:
            self.current.lease.revoke()
        for run in self._queue:
            run.lease.revoke()

    async def fire(self, args: Mapping[str, Any]) -> Run:
        """Start a run with ``args`` and return it once its task has started.

        While a run is live: under ``supersede`` it is cancelled first (see
        :meth:`cancel`: nothing it emitted is handled, and it has ended before the new
        run starts); under ``queue`` the new run waits (state PENDING) and starts when
        the live one ends; under ``refuse`` :class:`StreamBusy` is raised and nothing
        changes. If the view's nursery is cancelled, the run ends with it.
        """
        run = Run(self.name, args)
        if self.busy:
            on_busy = self.declaration.on_busy
            if on_busy is OnBusy.REFUSE:
                raise StreamBusy(
                    f"{self.declaration.owner}.{self.name}: a run is live and the stream "
                    f'is declared on_busy="refuse". Cancel it first, or declare '
                    f'on_busy="supersede" or "queue".'
                )
            if on_busy is OnBusy.QUEUE:
                self._queue.append(run)
                return run
            await self.cancel()
        await self._start(run)
        return run

    async def cancel(self) -> None:
        """Cancel the live run and drop the queued ones; return once the run has ended.

        The lease is revoked first (sync), so from that moment no message of the run is
        handled, including those already in the mailbox; then its cancel scope is
        cancelled, and this waits for its task to finish unwinding. A run that had
        already ended is left as it was. Safe to call when nothing runs.
        """
        for queued in self._queue:
            queued.lease.revoke()
            queued.state = RunState.CANCELLED
            queued.ended.set()
        self._queue.clear()
        run = self.current
        if run is None or run.state.ended:
            return
        run.lease.revoke()
        run.scope.cancel()
        if run.state is RunState.PENDING:
            run.state = RunState.CANCELLED
            run.ended.set()
            return
        await run.ended.wait()

    async def _start(self, run: Run) -> None:
        self.current = run
        await self._nursery.start(self._run, run)

    async def _run(self, run: Run, *, task_status: trio.TaskStatus[None]) -> None:
        log = self._log.bind(stream=self.name, run=run.id)
        emits = self.declaration.emits
        lease = run.lease
        tell = self._tell

        async def emit(message: Any) -> None:
            if not isinstance(message, emits):
                raise EmitError(
                    f"{self.declaration.owner}.{self.name} emitted a "
                    f"{type(message).__name__}, which is not among its emits=("
                    f"{', '.join(t.__name__ for t in emits)}). Add it to emits, and a "
                    f"clause for it."
                )
            if lease.revoked:
                return
            try:
                await tell(message, lease)
            except ActorStopped:
                run.scope.cancel()  # the view is gone: end the run as cancelled
                await trio.lowlevel.checkpoint()

        kwargs = dict(run.args)
        if self.declaration.takes_emit:
            kwargs["emit"] = emit
        try:
            with run.scope:
                if run.state is RunState.PENDING:
                    run.state = RunState.RUNNING
                task_status.started()
                log.debug("stream.run.started")
                try:
                    await self.declaration.body(**kwargs)
                except Exception as error:
                    run.state = RunState.FAILED
                    run.error = error
                    log.error("stream.run.failed", exc_info=error)
                    if not lease.revoked:
                        failed = StreamFailed(self.name, run.id, str(error), type(error).__name__)
                        await self._report(failed, lease)
                else:
                    run.state = RunState.DONE
                    log.debug("stream.run.done")
        finally:
            if not run.state.ended:
                run.state = RunState.CANCELLED
            run.ended.set()
        if run.state is not RunState.CANCELLED and self._queue and self.current is run:
            self._nursery.start_soon(self._start_queued)

    async def _report(self, failed: StreamFailed, lease: Lease) -> None:
        """Tell the view's failure clause, or hand the failure to ``unhandled``."""
        if not self._failure_handled:
            self._unhandled(failed)
            await trio.lowlevel.checkpoint()
            return
        with contextlib.suppress(ActorStopped):
            await self._tell(failed, lease)

    async def _start_queued(self) -> None:
        if self._queue and not self.busy:
            await self._start(self._queue.popleft())
