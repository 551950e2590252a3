"""The runs of a view's ``async_stream`` tasks: fire, supersede, queue, cancel, fail.

The declaration (:func:`~actorview.declare._tasks.async_stream`) says what a stream
emits and what ``fire`` does while it is busy; this module runs it. Each ``fire`` makes a
:class:`Run`: a task in the view's own nursery, inside a cancel scope the runtime owns,
whose messages go to the mailbox under the run's own :class:`~actorview.mailbox.Lease`.
Cancelling a run revokes the lease first, so nothing it emitted is handled afterwards,
even messages already queued; then it cancels the scope and waits for the task to end.

A body that raises fails its run (logged at error, with the traceback). If the view has a
clause for :class:`~actorview.declare._tasks.StreamFailed` that can take this stream's
failures, the failure is delivered to it as a message; otherwise the runner hands it to
the view, which shows its default notice. A cancelled or superseded run that fails while
unwinding reports nothing.

A keyed stream (``async_stream(max_runs=N)``) keeps one such slot per key: a run, and the
runs queued behind it. Every rule above holds per key; a key's slot is forgotten when its
last run ends, so the keys a view ever used cost nothing once their runs are over.
"""

from __future__ import annotations

import contextlib
import itertools
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import Any

import trio

from actorview.declare._errors import EmitError, StreamBusy
from actorview.declare._tasks import OnBusy, StreamFailed, StreamTask
from actorview.lifecycle import RunState
from actorview.logging import log_failure
from actorview.mailbox import ActorStopped, Lease

_run_ids = itertools.count(1)

Tell = Callable[[Any, Lease], Awaitable[None]]
Unhandled = Callable[[StreamFailed], None]
"""Called, in the run's task, for a failure no clause of the view takes."""


class RunLease(Lease):
    """The lease of one run: it also tells which key the run lives under, so the view can
    bind ``run_key`` for the clause that handles a message told under it."""

    __slots__ = ("key",)

    def __init__(self, label: str, key: Hashable | None) -> None:
        super().__init__(label)
        self.key = key


class Run:
    """One run of a stream: its identity, key, lease, cancel scope and state.

    Attributes:
        id: unique in the process; carried by :class:`StreamFailed`.
        key: the key it runs under (keyed streams), else ``None``.
        state: a :class:`RunState`.
        lease: the lease its messages are told under.
        error: the exception its body raised, if it failed.
    """

    def __init__(self, stream: str, args: Mapping[str, Any], key: Hashable | None = None) -> None:
        self.id = next(_run_ids)
        self.stream = stream
        self.key = key
        self.args = dict(args)
        self.state = RunState.PENDING
        label = f"{stream}#{self.id}" if key is None else f"{stream}[{key!r}]#{self.id}"
        self.lease = RunLease(label, key)
        self.scope = trio.CancelScope()
        self.ended = trio.Event()
        self.error: BaseException | None = None

    def __repr__(self) -> str:
        return f"<Run {self.lease.label} {self.state.value}>"


class _Slot:
    """One key's runs: the latest fired (live or ended) and those queued behind it."""

    __slots__ = ("current", "queue")

    def __init__(self) -> None:
        self.current: Run | None = None
        self.queue: deque[Run] = deque()

    @property
    def busy(self) -> bool:
        return self.current is not None and not self.current.state.ended


class TaskRunner:
    """A view instance's handle on one declared stream: fires, cancels, tracks runs.

    The view makes one when the stream is first fired (or ``view.live.streams`` is
    read); ``view.live.streams["llm"]`` is it. An
    unkeyed stream has one slot (key ``None``); a keyed one a slot per live key.
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
        self._slots: dict[Hashable | None, _Slot] = {}
        self.current: Run | None = None
        """The latest run fired (live or ended), or ``None``."""

    @property
    def state(self) -> RunState | None:
        """The current run's state, or ``None`` before the first fire."""
        return None if self.current is None else self.current.state

    @property
    def busy(self) -> bool:
        """Whether a run is live (pending or running), under any key."""
        return any(slot.busy for slot in self._slots.values())

    def busy_with(self, key: Hashable | None) -> bool:
        """Whether the run of ``key`` is live (``None``: an unkeyed stream's run)."""
        slot = self._slots.get(key)
        return slot is not None and slot.busy

    @property
    def runs(self) -> Mapping[Hashable | None, Run]:
        """The live run of each key (of an unkeyed stream: key ``None``)."""
        return {
            key: slot.current
            for key, slot in self._slots.items()
            if slot.current is not None and not slot.current.state.ended
        }

    @property
    def live(self) -> int:
        """How many keys have a live run."""
        return sum(1 for slot in self._slots.values() if slot.busy)

    def revoke(self, key: Hashable | None = None) -> None:
        """Sync: drop, from now on, every message of the live and queued runs of ``key``
        (``None``: of every key)."""
        slots = self._slots.values() if key is None else [self._slots.get(key)]
        for slot in slots:
            if slot is None:
                continue
            if slot.current is not None:
                slot.current.lease.revoke()
            for run in slot.queue:
                run.lease.revoke()

    async def fire(self, args: Mapping[str, Any], key: Hashable | None = None) -> Run:
        """Start a run with ``args`` (under ``key``, for a keyed stream) and return it
        once its task has started.

        While a run of the same key is live: under ``supersede`` it is cancelled first
        (see :meth:`cancel`: nothing it emitted is handled, and it has ended before the
        new run starts); under ``queue`` the new run waits (state PENDING) and starts
        when the live one ends; under ``refuse`` :class:`StreamBusy` is raised and
        nothing changes. A keyed stream with ``max_runs`` live keys refuses a new key
        with :class:`StreamBusy`. If the view's nursery is cancelled, the run ends with it.
        """
        slot = self._slots.get(key)
        busy = slot is not None and slot.busy
        limit = self.declaration.max_runs
        if not busy and limit is not None and self.live >= limit:
            raise StreamBusy(self.declaration.owner, self.name, max_runs=limit)
        run = Run(self.name, args, key)
        if slot is None:
            slot = self._slots[key] = _Slot()
        if busy:
            on_busy = self.declaration.on_busy
            if on_busy is OnBusy.REFUSE:
                raise StreamBusy(self.declaration.owner, self.name)
            if on_busy is OnBusy.QUEUE:
                slot.queue.append(run)
                return run
            await self._cancel_slot(slot)
        await self._start(slot, run)
        return run

    async def cancel(self, key: Hashable | None = None) -> None:
        """Cancel the live run of ``key`` (``None``: of every key) and drop the queued
        ones; return once the runs have ended.

        The lease is revoked first (sync), so from that moment no message of the run is
        handled, including those already in the mailbox; then its cancel scope is
        cancelled, and this waits for its task to finish unwinding. A run that had
        already ended is left as it was. Safe to call when nothing runs.
        """
        if key is not None:
            slot = self._slots.get(key)
            if slot is not None:
                await self._cancel_slot(slot)
            return
        slots = list(self._slots.values())
        for slot in slots:
            self._revoke_slot(slot)
        for slot in slots:
            await self._cancel_slot(slot)

    @staticmethod
    def _revoke_slot(slot: _Slot) -> None:
        for queued in slot.queue:
            queued.lease.revoke()
        if slot.current is not None and not slot.current.state.ended:
            slot.current.lease.revoke()

    async def _cancel_slot(self, slot: _Slot) -> None:
        for queued in slot.queue:
            queued.lease.revoke()
            queued.state = RunState.CANCELLED
            queued.ended.set()
        slot.queue.clear()
        run = slot.current
        if run is None or run.state.ended:
            self._forget(slot)
            return
        run.lease.revoke()
        run.scope.cancel()
        if run.state is RunState.PENDING:
            run.state = RunState.CANCELLED
            run.ended.set()
            self._forget(slot)
            return
        await run.ended.wait()

    def _forget(self, slot: _Slot) -> None:
        """Drop a keyed stream's slot once nothing of it is live or queued."""
        if self.declaration.keyed and not slot.busy and not slot.queue:
            run = slot.current
            if run is not None and self._slots.get(run.key) is slot:
                del self._slots[run.key]

    async def _start(self, slot: _Slot, run: Run) -> None:
        slot.current = run
        self.current = run
        self._slots.setdefault(run.key, slot)
        await self._nursery.start(self._run, slot, run)

    async def _run(self, slot: _Slot, run: Run, *, task_status: trio.TaskStatus[None]) -> None:
        log = self._log.bind(stream=self.name, run=run.id)
        if run.key is not None:
            log = log.bind(key=run.key)
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
                    log_failure(log, "stream.run.failed", error)
                    if not lease.revoked:
                        failed = StreamFailed(
                            self.name, run.id, str(error), type(error).__name__, run.key
                        )
                        await self._report(failed, lease)
                else:
                    run.state = RunState.DONE
                    log.debug("stream.run.done")
        finally:
            if not run.state.ended:
                run.state = RunState.CANCELLED
            run.ended.set()
        if slot.current is not run:
            return
        if run.state is not RunState.CANCELLED and slot.queue:
            self._nursery.start_soon(self._start_queued, slot)
        else:
            self._forget(slot)

    async def _report(self, failed: StreamFailed, lease: Lease) -> None:
        """Tell the view's failure clause, or hand the failure to ``unhandled``."""
        if not self._failure_handled:
            self._unhandled(failed)
            await trio.lowlevel.checkpoint()
            return
        with contextlib.suppress(ActorStopped):
            await self._tell(failed, lease)

    async def _start_queued(self, slot: _Slot) -> None:
        if slot.queue and not slot.busy:
            await self._start(slot, slot.queue.popleft())
