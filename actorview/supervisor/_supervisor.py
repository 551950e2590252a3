"""The :class:`Supervisor`: decides what happens when a child ends, and runs the tree.

Its ``run`` task is its loop: it reads ended children from a memory channel and
applies the restart type, the restart intensity and the strategy. Decisions that start
or stop children never interleave with each other. Under the group strategies that is
one lock, held until a restarted group is up, and calls from other tasks
(:meth:`~Supervisor.start_child`, :meth:`~Supervisor.terminate_child`) wait for it.
Under ``ONE_FOR_ONE`` every decision is synchronous and the waits (a child starting,
a child stopping) happen after it, so one child slow to start (a view loading its
history from a database) holds up no other start or restart: with a hundred views
restarting at once, waiting for each in turn queued restarts for tens of seconds. The
mechanics of starting and stopping one child are in :mod:`actorview.supervisor._children`.

A restart decision that carries a backoff delay (``ChildSpec.backoff``) makes the child
DELAYED and returns: a task of the roster sleeps the delay, holding nothing. Under
``ONE_FOR_ONE`` that task then starts the child itself (a failed start comes back as a
new exit); under the group strategies it sends
:class:`~actorview.supervisor._children.RestartDue` to the same loop, which restarts the
child with its group as it would have without a delay.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any, Final, TypeVar, assert_never, cast

import attrs
import trio

from actorview.lifecycle import ChildState, SupervisorState
from actorview.logging import get_logger
from actorview.supervisor._children import (
    Child,
    ChildInfo,
    Instance,
    RestartDue,
    Roster,
)
from actorview.supervisor._errors import (
    ChildCannotTerminateItself,
    ChildStartFailed,
    ChildWaiting,
    DuplicateChildId,
    NameTaken,
    RestartIntensityExceeded,
    SupervisorAlreadyRunning,
    SupervisorError,
    SupervisorNotRunning,
    UnknownChild,
)
from actorview.supervisor._events import ChildEvent, GaveUp, Restarting, Waiting
from actorview.supervisor._registry import Registry
from actorview.supervisor._spec import WAIT_FOREVER, ChildSpec, Restart
from actorview.supervisor._strategy import RestartWindow, Strategy

H = TypeVar("H")


class _StopRequested:
    """Sent to the supervisor's loop by :meth:`Supervisor.request_stop`."""


@attrs.frozen
class _Retire:
    """Not restarted, by its restart type."""


@attrs.frozen
class _Escalate:
    """Past the supervisor's intensity: the supervisor gives up."""


@attrs.frozen
class _StopForGood:
    """Past the child's own intensity: it is stopped for good, the supervisor carries on."""


@attrs.frozen
class _RestartAfter:
    """Restarted (with its group) after ``delay`` seconds."""

    delay: float


_Verdict = _Retire | _Escalate | _StopForGood | _RestartAfter

_STOP: Final = _StopRequested()
_LoopMessage = Instance | RestartDue | _StopRequested
"""What the supervisor's loop reads: an ended child, a backoff delay that passed, a stop."""


class Supervisor:
    """Runs children, restarts them by :class:`Strategy`, and stops them in reverse order.

    ``children``
        Started in this order by :meth:`run`, each only once the previous one reported
        started. Ids must be unique (:class:`DuplicateChildId` otherwise). May be empty:
        a supervisor of dynamic children only (one per connection, say).
    ``strategy``
        Which siblings restart along with a child that must restart (default
        ``ONE_FOR_ONE``). Restarting a group stops its running members other than the
        one that ended, in reverse start order and with their grace periods, then
        starts every group member that is to run, in start order, each once the one
        before it reported started; the supervisor handles nothing else meanwhile.
        Temporary members stopped this way are removed, not restarted; members that had
        already stopped for good (a transient child that returned) stay stopped. A
        child that ends and is not restarted (by its :class:`Restart` type) touches no
        sibling. Under ``ONE_FOR_ONE`` children start and stop concurrently: a
        restart, a :meth:`start_child` or a :meth:`terminate_child` of one child never
        waits for another child to start or stop.
    ``max_restarts``, ``period``
        Restart intensity: at most ``max_restarts`` restart decisions (a group restart
        is one) in any ``period`` seconds of ``trio.current_time()``. The next one makes
        the supervisor give up: it stops every child, then :meth:`run` raises
        :class:`RestartIntensityExceeded`, which its parent supervisor treats as a
        crash. A restarted child that fails to start counts as crashing again.
    ``name``
        Bound as ``supervisor`` on every log event; the default id of :meth:`child_spec`.
    ``registry``
        Where running children are registered under their ids (a fresh
        :class:`Registry` unless given; share one between supervisors to look up
        children anywhere in a tree).
    """

    def __init__(
        self,
        children: Iterable[ChildSpec[Any]] = (),
        *,
        strategy: Strategy = Strategy.ONE_FOR_ONE,
        max_restarts: int = 3,
        period: float = 5.0,
        name: str = "supervisor",
        registry: Registry | None = None,
    ) -> None:
        self.name = name
        self.strategy = strategy
        self.registry = registry if registry is not None else Registry()
        self._window = RestartWindow(max_restarts, period)
        self._specs = self._unique(children)
        self._log = get_logger(supervisor=name)
        self._state = SupervisorState.PENDING
        self._roster: Roster | None = None
        self._lock = trio.Lock()
        self._exits_in, self._exits = self._open_exit_channel()

    @property
    def state(self) -> SupervisorState:
        """The supervisor's current :class:`SupervisorState`."""
        return self._state

    def child_spec(
        self,
        id: str | None = None,
        *,
        restart: Restart = Restart.PERMANENT,
        shutdown: float = WAIT_FOREVER,
    ) -> ChildSpec[Supervisor]:
        """A spec that runs this supervisor as the child of another one.

        Its handle is the supervisor itself (so ``request_stop`` stops it gracefully).
        ``shutdown`` defaults to ``WAIT_FOREVER``: its own children's grace periods
        bound how long it takes. A restart by the parent runs it afresh: the children
        given at construction only, a clean restart history.
        """
        return ChildSpec(id or self.name, self.run, restart=restart, shutdown=shutdown)

    # -- running ---------------------------------------------------------------------

    async def run(
        self, *, task_status: trio.TaskStatus[Supervisor] = trio.TASK_STATUS_IGNORED
    ) -> None:
        """Start the children in order, report started (with ``self``), then supervise.

        Returns after :meth:`request_stop`, once every child has been stopped in reverse
        start order (each asked to stop, given its grace period, then cancelled).

        Raises :class:`ChildStartFailed` (before reporting started) if a child given at
        construction fails to start: the ones already up are stopped first. Raises
        :class:`RestartIntensityExceeded` when it gives up, after stopping every child.
        Raises :class:`SupervisorAlreadyRunning` if this supervisor is running already;
        once ``run`` has ended it may be called again, and starts afresh.

        If ``run`` is cancelled, it cancels every child at once, in reverse start order,
        waiting for each to end before cancelling the one before it, then lets the
        cancellation through. No task of any child outlives ``run`` (a child that
        swallows cancellation delays ``run`` as long as it does so).
        """
        self._begin_run()
        failure: SupervisorError | None = None
        try:
            async with trio.open_nursery() as nursery:
                roster = self._roster = self._new_roster(nursery)
                try:
                    failure = await self._start_initial_children(roster)
                    if failure is None:
                        self._enter(SupervisorState.RUNNING)
                        task_status.started(self)
                        failure = await self._supervise_until_stopped(roster)
                    await self._stop_everything(roster, graceful=True)
                finally:
                    with trio.CancelScope(shield=True):
                        await self._stop_everything(roster, graceful=False)
        finally:
            self._end_run(failure)
        if failure is not None:
            raise failure

    def request_stop(self) -> None:
        """Ask :meth:`run` to stop every child (reverse order, with grace) and return.

        Synchronous and idempotent; does nothing unless the supervisor is starting or
        running. A parent supervisor calls it when it shuts this one down.
        """
        if self._state in (SupervisorState.STARTING, SupervisorState.RUNNING):
            self._exits_in.send_nowait(_STOP)

    # -- dynamic children ------------------------------------------------------------

    async def start_child(self, spec: ChildSpec[H]) -> H:
        """Add a child after the existing ones, start it, and return its handle.

        Returns once the child reported started. Waits while the supervisor handles a
        crash. Under ``ONE_FOR_ONE`` the child starts alongside whatever else the
        supervisor does (other starts, restarts, terminations); under the group
        strategies the supervisor waits for it. Its id is taken from the moment the
        call begins: a second ``start_child`` with it raises at once.

        Raises :class:`DuplicateChildId` if a child with this id is supervised,
        :class:`NameTaken` if a shared registry already holds a running child with this
        id, :class:`SupervisorNotRunning` unless the supervisor is running (or if it
        stops while the child starts), and :class:`ChildStartFailed` if the child fails
        to start (it is then not added), except with one of its spec's ``waits_on``
        errors: then :class:`ChildWaiting`, and the child stays, DELAYED, to be started
        again with its backoff until it comes up. If the caller is cancelled before the child
        reported started, the child is cancelled and not added; once it reported
        started, it is supervised whatever happens to the caller.
        """
        async with self._deciding():
            roster = self._running_roster(f"start child {spec.id!r}")
            if roster.find(spec.id) is not None:
                raise DuplicateChildId(self.name, spec.id)
            if spec.id in self.registry:
                raise NameTaken(spec.id)
            child = Child(spec)
            roster.children.add(child)
            instance = roster.prepare(child)
            if not self._concurrent:
                return await self._finish_start(roster, instance, spec)
        return await self._finish_start(roster, instance, spec)

    async def _finish_start(self, roster: Roster, instance: Instance, spec: ChildSpec[H]) -> H:
        """Wait for a child added by :meth:`start_child` to start; drop it if it does not."""
        child = instance.child
        try:
            error = await roster.launch(instance)
        except BaseException:
            self._drop_unstarted(roster, instance)
            raise
        if error is not None:
            waiting = spec.waits_for_dependency(error, was_up=False)
            if waiting and self._state is SupervisorState.RUNNING and child in roster.children:
                roster.forget(instance)
                verdict = self._verdict(child, error, was_up=False)
                if isinstance(verdict, _RestartAfter):  # (not for a TEMPORARY child)
                    roster.restart_later(child, verdict.delay, relaunch=self._concurrent)
                    raise ChildWaiting(self.name, spec.id, verdict.delay) from error
            self._drop_unstarted(roster, instance)
            self._running_roster(f"start child {child.id!r}")
            raise ChildStartFailed(self.name, spec.id) from error
        return cast(H, instance.handle)

    def _drop_unstarted(self, roster: Roster, instance: Instance) -> None:
        roster.forget(instance)
        roster.children.remove(instance.child)

    async def terminate_child(self, id: str) -> None:
        """Stop the child ``id`` (ask, grace, then cancel) and forget its spec.

        Siblings are not touched, whatever the strategy. Returns once the child ended.
        A child still starting (in another task's :meth:`start_child`, or restarting)
        is first let finish its start, then stopped; one that another call is
        terminating already is waited for. Under ``ONE_FOR_ONE`` neither wait holds up
        the supervisor.

        Raises :class:`UnknownChild` if there is no such child,
        :class:`ChildCannotTerminateItself` if called from inside that very child, and
        :class:`SupervisorNotRunning` unless the supervisor is running. If the caller is
        cancelled during the grace period, the child is cancelled at once and still
        removed.
        """
        while True:
            async with self._deciding():
                roster = self._running_roster(f"terminate child {id!r}")
                child = roster.find(id)
                if child is None:
                    raise UnknownChild(self.name, id, [c.id for c in roster.children])
                if child.runs_current_task():
                    raise ChildCannotTerminateItself(id)
                instance = child.instance
                if instance is None or (instance.started and child.state is ChildState.RUNNING):
                    if instance is not None:
                        child.state = ChildState.STOPPING  # from now on its end is no crash
                    if not self._concurrent:
                        await self._terminate(roster, child)
                        return
                    break
            if instance.started:  # another call is terminating it: wait until it is gone
                await child.forgotten.wait()
                return
            await instance.settled.wait()  # still starting: stop it once it is up
        await self._terminate(roster, child)

    async def _terminate(self, roster: Roster, child: Child) -> None:
        roster.cancel_delay(child)
        try:
            if child.instance is not None:
                await roster.stop(child, graceful=True, reason="terminated")
        finally:
            roster.children.remove(child)
            child.forgotten.set()

    def which_children(self) -> list[ChildInfo]:
        """A snapshot of every supervised child, in start order.

        Before the first run, the children given at construction, all PENDING.
        """
        if self._roster is None:
            return [Child(spec).info() for spec in self._specs]
        return [child.info() for child in self._roster.children]

    def has_child(self, id: str) -> bool:
        """Whether a child ``id`` is supervised (running, starting, or waiting to be
        restarted), without the snapshot of every child :meth:`which_children` makes."""
        if self._roster is None:
            return any(spec.id == id for spec in self._specs)
        return self._roster.find(id) is not None

    # -- the loop --------------------------------------------------------------------

    async def _supervise_until_stopped(self, roster: Roster) -> SupervisorError | None:
        async for message in self._exits:
            match message:
                case _StopRequested():
                    return None
                case RestartDue(child=child):
                    async with self._deciding():
                        failure = await self._restart_when_due(roster, child)
                case Instance():
                    async with self._deciding():
                        failure = await self._handle_exit(roster, message)
                case _:
                    assert_never(message)
            if failure is not None:
                return failure
        raise AssertionError("the supervisor's exit channel closed while it was running")

    async def _handle_exit(self, roster: Roster, ended: Instance) -> SupervisorError | None:
        """Apply restart type, intensity, backoff and strategy to a child whose instance ended."""
        child = ended.child
        if child.instance is not ended or child.state is ChildState.STOPPING:
            return None  # the supervisor stopped (or is stopping) this instance itself
        child.instance = None
        return await self._decide(roster, child, ended.error, was_up=ended.started)

    async def _decide(
        self, roster: Roster, child: Child, error: Exception | None, *, was_up: bool
    ) -> SupervisorError | None:
        """Decide for ``child``, which ended with ``error``; a group restart whose start
        fails is decided again, for the child that failed, until nothing fails."""
        failed: tuple[Child, Exception | None] | None = (child, error)
        while failed is not None:
            child, error = failed
            verdict = self._verdict(child, error, was_up=was_up)
            was_up = False  # whatever fails from here on failed to start
            match verdict:
                case _Retire():
                    self._retire(roster, child, error)
                case _Escalate():
                    return self._give_up(child, error)
                case _StopForGood():
                    self._stop_for_good(child, error)
                case _RestartAfter(delay=delay) if delay > 0:
                    roster.restart_later(child, delay, relaunch=self._concurrent)
                    return None
                case _RestartAfter():
                    await self._stop_restart_group(roster, child)
                    if self._concurrent:
                        roster.restart_soon(child)  # a failed start comes back as a new exit
                        return None
                case _:
                    assert_never(verdict)
            failed = await roster.start_pending()  # a failed restart is a new crash
        return None

    async def _restart_when_due(self, roster: Roster, child: Child) -> SupervisorError | None:
        """A DELAYED child's backoff delay passed (group strategies): restart its group."""
        if child not in roster.children or child.state is not ChildState.DELAYED:
            return None  # terminated meanwhile
        await self._stop_restart_group(roster, child)
        failed = await roster.start_pending()
        if failed is None:
            return None
        return await self._decide(roster, *failed, was_up=False)

    def _verdict(self, child: Child, error: Exception | None, *, was_up: bool) -> _Verdict:
        """What to do about ``child``, which ended with ``error``; tells its observer.

        A start that failed for a dependency (``waits_on``) is counted nowhere; any
        other restart counts in the child's own window if it has one, else in the
        supervisor's. Synchronous, so one decision never interleaves with another.
        """
        spec = child.spec
        if not spec.restart.restarts_after(error):
            return _Retire()
        waiting = spec.waits_for_dependency(error, was_up=was_up)
        if not waiting:
            window = child.window if child.window is not None else self._window
            if not window.allows_restart_at(trio.current_time()):
                if child.window is None:
                    return _Escalate()
                self._tell(child, GaveUp(error, window.max_restarts, window.period))
                return _StopForGood()
        child.failures += 1
        delay = spec.backoff.delay(child.failures) if spec.backoff is not None else 0.0
        if isinstance(error, Exception) and waiting:
            self._log.warning(
                "child_waiting",
                child_id=child.id,
                error=f"{type(error).__name__}: {error}",
                delay=round(delay, 3),
                attempt=child.failures,
            )
            self._tell(child, Waiting(error, delay))
        else:
            self._tell(child, Restarting(error, delay, was_up))
        return _RestartAfter(delay)

    def _tell(self, child: Child, event: ChildEvent) -> None:
        observer = child.spec.observer
        if observer is None:
            return
        try:
            observer(event)
        except Exception as error:
            self._log.error("child_observer_failed", child_id=child.id, exc_info=error)

    def _stop_for_good(self, child: Child, error: Exception | None) -> None:
        assert child.window is not None
        child.state = ChildState.FAILED
        self._log.error(
            "child_gave_up",
            child_id=child.id,
            max_restarts=child.window.max_restarts,
            period=child.window.period,
            cause=repr(error),
        )

    def _retire(self, roster: Roster, child: Child, error: Exception | None) -> None:
        if child.spec.restart is Restart.TEMPORARY:
            roster.children.remove(child)
        else:
            child.state = ChildState.STOPPED
        outcome = "crashed" if error is not None else "returned"
        self._log.info("child_stopped", child_id=child.id, reason=f"{outcome}, not restarted")

    def _give_up(self, child: Child, error: Exception | None) -> SupervisorError:
        window = self._window
        self._log.error(
            "supervisor_gave_up",
            child_id=child.id,
            max_restarts=window.max_restarts,
            period=window.period,
        )
        failure = RestartIntensityExceeded(self.name, child.id, window.max_restarts, window.period)
        failure.__cause__ = error
        return failure

    async def _stop_restart_group(self, roster: Roster, ended: Child) -> None:
        """Stop the running siblings in ``ended``'s group, last first; mark them pending."""
        for sibling in reversed(self.strategy.restart_group(roster.children.in_order(), ended)):
            if sibling is ended or sibling.instance is None:
                continue
            await roster.stop(sibling, graceful=True, reason=f"restarting with {ended.id!r}")
            if sibling.spec.restart is Restart.TEMPORARY:
                roster.children.remove(sibling)
            else:
                sibling.state = ChildState.PENDING
        ended.state = ChildState.PENDING

    # -- run's beginning and end -----------------------------------------------------

    async def _start_initial_children(self, roster: Roster) -> SupervisorError | None:
        failed = await roster.start_pending()
        if failed is None:
            return None
        child, error = failed
        failure = ChildStartFailed(self.name, child.id)
        failure.__cause__ = error
        return failure

    async def _stop_everything(self, roster: Roster, *, graceful: bool) -> None:
        self._enter(SupervisorState.STOPPING)
        roster.abort_starts()
        if graceful:
            async with self._lock:  # lets a terminate_child in progress finish first
                await roster.stop_all(graceful=True)
        else:
            await roster.stop_all(graceful=False)

    def _begin_run(self) -> None:
        if self._state.active:
            raise SupervisorAlreadyRunning(self.name)
        self._window.reset()
        self._lock = trio.Lock()
        self._exits_in, self._exits = self._open_exit_channel()
        self._enter(SupervisorState.STARTING)

    def _new_roster(self, nursery: trio.Nursery) -> Roster:
        return Roster(
            self._specs,
            supervisor=self.name,
            nursery=nursery,
            registry=self.registry,
            exits=self._exits_in,
            log=self._log,
        )

    def _end_run(self, failure: SupervisorError | None) -> None:
        self._exits_in.close()
        self._exits.close()
        self._enter(SupervisorState.FAILED if failure is not None else SupervisorState.STOPPED)

    # -- small helpers ---------------------------------------------------------------

    @asynccontextmanager
    async def _deciding(self) -> AsyncIterator[None]:
        """Hold the supervisor while deciding what to start or stop.

        Under the group strategies this is its lock, held across the starts and stops
        a decision awaits. Under ``ONE_FOR_ONE`` no decision awaits anything, and only
        a graceful shutdown takes the lock (after which no one may decide), so a
        decision is just the synchronous code that makes it. Why not take the lock
        anyway: every hand-over of a contended trio lock costs a pass of the scheduler,
        and a hundred views starting and stopping at once queued seconds on it.
        """
        if self._concurrent:
            yield
        else:
            async with self._lock:
                yield

    @property
    def _concurrent(self) -> bool:
        """Whether children start and stop without holding up the supervisor (ONE_FOR_ONE)."""
        return self.strategy is Strategy.ONE_FOR_ONE

    def _enter(self, state: SupervisorState) -> None:
        if state is not self._state:
            self._state = state
            self._log.info(f"supervisor_{state.value}")

    def _running_roster(self, wanted: str) -> Roster:
        if self._state is not SupervisorState.RUNNING or self._roster is None:
            raise SupervisorNotRunning(self.name, wanted, self._state.value)
        return self._roster

    def _unique(self, children: Iterable[ChildSpec[Any]]) -> tuple[ChildSpec[Any], ...]:
        specs = tuple(children)
        seen: set[str] = set()
        for spec in specs:
            if spec.id in seen:
                raise DuplicateChildId(self.name, spec.id)
            seen.add(spec.id)
        return specs

    @staticmethod
    def _open_exit_channel() -> tuple[
        trio.MemorySendChannel[_LoopMessage],
        trio.MemoryReceiveChannel[_LoopMessage],
    ]:
        return trio.open_memory_channel[_LoopMessage](math.inf)
