"""The runs of a view's ``async_stream`` tasks: fire, supersede, queue, cancel, fail.

The declaration (:func:`~actorview.declare.tasks.async_stream`) says what a stream
emits and what ``fire`` does while it is busy; this module runs it. Each ``fire`` makes a
:class:`Run`: a task in the view's own nursery, inside a cancel scope the runtime owns,
whose messages go to the mailbox under the run's own :class:`~actorview.mailbox.Lease`.
Cancelling a run revokes the lease first, so nothing it emitted is handled afterwards,
even messages already queued; then it cancels the scope and waits for the task to end.

A body that raises fails its run (logged at error, with the traceback). If the view has a
clause for :class:`~actorview.declare.tasks.StreamFailed` that can take this stream's
failures, the failure is delivered to it as a message; otherwise the runner hands it to
the view, which shows its default notice. A cancelled or superseded run that fails while
unwinding reports nothing.
"""

from __future__ import annotations

import contextlib
import itertools
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import trio

from actorview.declare.errors import EmitError, StreamBusy
from actorview.declare.tasks import OnBusy, StreamFailed, StreamTask
from actorview.lifecycle import RunState
from actorview.mailbox import ActorStopped, Lease

_run_ids = itertools.count(1)

Tell = Callable[[Any, Lease], Awaitable[None]]
Unhandled = Callable[[StreamFailed], None]
"""Called, in the run's task, for a failure no clause of the view takes."""


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


class TaskRunner:
    """A view instance's handle on one declared stream: fires, cancels, tracks runs.

    The view makes one per stream when it starts; ``view.streams["llm"]`` is it.
    """

    def __init__(
        self,
        declaration: StreamTask,
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
                raise StreamBusy(self.declaration.owner, self.name)
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
                raise EmitError(self.declaration.owner, self.name, message, emits)
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
