"""The :class:`Supervisor`: decides what happens when a child ends, and runs the tree.

Its ``run`` task is its loop: it reads ended children from a memory channel and
applies the restart type, the restart intensity and the strategy. Every decision that
starts or stops children is taken under one lock, so calls from other tasks
(:meth:`~Supervisor.start_child`, :meth:`~Supervisor.terminate_child`) never
interleave with a restart. The mechanics of starting and stopping one child are in
:mod:`actorview.supervisor.children`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from enum import Enum
from typing import Any, Final, TypeVar

import trio

from actorview.logging import get_logger
from actorview.supervisor.children import Child, ChildInfo, ChildState, Instance, Roster
from actorview.supervisor.errors import (
    ChildCannotTerminateItself,
    ChildStartFailed,
    DuplicateChildId,
    NameTaken,
    RestartIntensityExceeded,
    SupervisorAlreadyRunning,
    SupervisorError,
    SupervisorNotRunning,
    UnknownChild,
)
from actorview.supervisor.registry import Registry
from actorview.supervisor.spec import WAIT_FOREVER, ChildSpec, Restart
from actorview.supervisor.strategy import RestartWindow, Strategy

H = TypeVar("H")


class SupervisorState(Enum):
    """Where a supervisor is in its life; :attr:`Supervisor.state`."""

    IDLE = "idle"
    """Created, not running yet."""
    STARTING = "starting"
    """``run`` is starting the children given at construction, in order."""
    RUNNING = "running"
    """Every child is up; crashes are handled; children can be added and removed."""
    STOPPING = "stopping"
    """Stopping its children in reverse start order."""
    STOPPED = "stopped"
    """``run`` returned (or was cancelled); every child has ended. It may run again."""
    FAILED = "failed"
    """``run`` raised (a child failed to start, or restart intensity was exceeded)."""


class _StopRequested:
    """Sent to the supervisor's loop by :meth:`Supervisor.request_stop`."""


_STOP: Final = _StopRequested()
_ACTIVE: Final = (SupervisorState.STARTING, SupervisorState.RUNNING, SupervisorState.STOPPING)


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
        starts every group member that is to run, in start order. Temporary members
        stopped this way are removed, not restarted; members that had already stopped
        for good (a transient child that returned) stay stopped. A child that ends and
        is not restarted (by its :class:`Restart` type) touches no sibling.
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
        self._state = SupervisorState.IDLE
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
        crash. Raises :class:`DuplicateChildId` if a child with this id is supervised,
        :class:`NameTaken` if a shared registry already holds a running child with this
        id, :class:`SupervisorNotRunning` unless the supervisor is running (or if it
        stops while the child starts), and :class:`ChildStartFailed` if the child fails
        to start (it is then not added). If the caller is cancelled before the child
        reported started, the child is cancelled and not added; once it reported
        started, it is supervised whatever happens to the caller.
        """
        async with self._lock:
            roster = self._running_roster(f"start child {spec.id!r}")
            if roster.find(spec.id) is not None:
                raise DuplicateChildId(self.name, spec.id)
            if spec.id in self.registry:
                raise NameTaken(spec.id)
            child = Child(spec)
            roster.children.append(child)
            try:
                error = await roster.start(child)
            except BaseException:
                roster.children.remove(child)
                raise
            if error is not None:
                roster.children.remove(child)
                self._running_roster(f"start child {spec.id!r}")
                raise ChildStartFailed(self.name, spec.id) from error
            assert child.instance is not None
            handle: H = child.instance.handle  # type: ignore[assignment]
            return handle

    async def terminate_child(self, id: str) -> None:
        """Stop the child ``id`` (ask, grace, then cancel) and forget its spec.

        Siblings are not touched, whatever the strategy. Returns once the child ended.
        Raises :class:`UnknownChild` if there is no such child,
        :class:`ChildCannotTerminateItself` if called from inside that very child, and
        :class:`SupervisorNotRunning` unless the supervisor is running. If the caller is
        cancelled during the grace period, the child is cancelled at once and still
        removed.
        """
        async with self._lock:
            roster = self._running_roster(f"terminate child {id!r}")
            child = roster.find(id)
            if child is None:
                raise UnknownChild(self.name, id, [c.id for c in roster.children])
            if child.runs_current_task():
                raise ChildCannotTerminateItself(id)
            try:
                if child.instance is not None:
                    await roster.stop(child, graceful=True, reason="terminated")
            finally:
                roster.children.remove(child)

    def which_children(self) -> list[ChildInfo]:
        """A snapshot of every supervised child, in start order.

        Before the first run, the children given at construction, all PENDING.
        """
        if self._roster is None:
            return [Child(spec).info() for spec in self._specs]
        return [child.info() for child in self._roster.children]

    # -- the loop --------------------------------------------------------------------

    async def _supervise_until_stopped(self, roster: Roster) -> SupervisorError | None:
        async for message in self._exits:
            if isinstance(message, _StopRequested):
                return None
            async with self._lock:
                failure = await self._handle_exit(roster, message)
            if failure is not None:
                return failure
        raise AssertionError("the supervisor's exit channel closed while it was running")

    async def _handle_exit(self, roster: Roster, ended: Instance) -> SupervisorError | None:
        """Apply restart type, intensity and strategy to a child whose instance ended."""
        child = ended.child
        if child.instance is not ended:
            return None  # the supervisor stopped this instance itself
        child.instance = None
        failed: tuple[Child, Exception | None] | None = (child, ended.error)
        while failed is not None:
            child, error = failed
            if not child.spec.restart.restarts_after(error):
                self._retire(roster, child, error)
            elif not self._window.allows_restart_at(trio.current_time()):
                return self._give_up(child, error)
            else:
                await self._stop_restart_group(roster, child)
            failed = await roster.start_pending()  # a failed restart is a new crash
        return None

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
        for sibling in reversed(self.strategy.restart_group(roster.children, ended)):
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
        if self._state in _ACTIVE:
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
        return tuple(specs)

    @staticmethod
    def _open_exit_channel() -> tuple[
        trio.MemorySendChannel[Instance | _StopRequested],
        trio.MemoryReceiveChannel[Instance | _StopRequested],
    ]:
        return trio.open_memory_channel[Instance | _StopRequested](math.inf)
