"""How a supervisor starts and stops one child: the mechanics, with no policy in them.

A :class:`Roster` holds one supervisor run's children in start order. Each child
instance runs in its own task in the supervisor's nursery, inside its own cancel
scope, wrapped so that whatever it raises is caught and sent to the supervisor's loop
(over a memory channel) instead of cancelling its siblings. Once a child reported
started, its scope is shielded: only the supervisor cancels it, so that stopping goes
in reverse start order even when the whole tree is cancelled. What to do when a child
ends (restart it, and which siblings with it) is decided in
:mod:`actorview.supervisor._supervisor`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import attrs
import trio

from actorview.lifecycle import ChildState
from actorview.supervisor._errors import ChildNeverStarted, SupervisorNotRunning
from actorview.supervisor._registry import Registry
from actorview.supervisor._spec import ChildSpec, Restart
from actorview.supervisor._strategy import RestartWindow


@attrs.frozen
class ChildInfo:
    """A snapshot of one child: what :meth:`Supervisor.which_children` returns."""

    id: str
    state: ChildState
    restart: Restart
    handle: object
    """What the running instance passed to ``started``; ``None`` when none is running."""
    restarts: int
    """Start attempts after its first one in this run of the supervisor (failed ones included)."""


class Flag:
    """A ``trio.Event`` made only when a task waits for it: every live child has three
    of these, and most are set without anyone waiting (an event costs 270 bytes)."""

    __slots__ = ("_event", "_set")

    def __init__(self) -> None:
        self._set = False
        self._event: trio.Event | None = None

    def set(self) -> None:
        self._set = True
        if self._event is not None:
            self._event.set()

    def is_set(self) -> bool:
        return self._set

    async def wait(self) -> None:
        """As ``trio.Event.wait``: a checkpoint, returning once set."""
        if self._set:
            await trio.lowlevel.checkpoint()
            return
        if self._event is None:
            self._event = trio.Event()
        await self._event.wait()


@attrs.define(eq=False)
class Child:
    """One supervised child: its spec, its state and the instance running now."""

    spec: ChildSpec[Any]
    state: ChildState = ChildState.PENDING
    instance: Instance | None = None
    starts: int = 0
    forgotten: Flag = attrs.Factory(lambda: Flag())
    """Set once ``terminate_child`` has stopped it and removed it from the roster."""
    window: RestartWindow | None = attrs.field(init=False)
    """Its own restart intensity, if its spec has one (``ChildSpec.max_restarts``)."""
    failures: int = 0
    """Restarts decided since an instance of it last reported started (for its backoff)."""
    delay: trio.CancelScope | None = None
    """The scope of the wait before its next start, while it is DELAYED."""

    @window.default
    def _own_window(self) -> RestartWindow | None:
        if self.spec.max_restarts is None:
            return None
        return RestartWindow(self.spec.max_restarts, self.spec.period)

    @property
    def id(self) -> str:
        return self.spec.id

    def runs_current_task(self) -> bool:
        """Whether the current task is this child's running instance or one of its tasks."""
        if self.instance is None:
            return False
        task: trio.lowlevel.Task | None = trio.lowlevel.current_task()
        while task is not None:
            if task is self.instance.task:
                return True
            task = task.parent_nursery.parent_task if task.parent_nursery else None
        return False

    def info(self) -> ChildInfo:
        handle = self.instance.handle if self.instance is not None else None
        restarts = max(self.starts - 1, 0)
        return ChildInfo(self.id, self.state, self.spec.restart, handle, restarts)


class Children:
    """A roster's children in start order, each found by its id at once.

    A supervisor of one child per connection holds thousands; a join asks whether its
    session's view is among them, so that must not be a scan. A dict keeps insertion
    order, which is the start order the strategies and the shutdown go by.
    """

    __slots__ = ("_by_id",)

    def __init__(self, children: Iterable[Child] = ()) -> None:
        self._by_id = {child.id: child for child in children}

    def add(self, child: Child) -> None:
        """Put ``child`` last (its id must not be held: the supervisor checks)."""
        self._by_id[child.id] = child

    def remove(self, child: Child) -> None:
        """Forget ``child``; nothing happens if it is not (or no longer) held."""
        if self._by_id.get(child.id) is child:
            del self._by_id[child.id]

    def find(self, id: str) -> Child | None:
        return self._by_id.get(id)

    def in_order(self) -> list[Child]:
        """A snapshot in start order (safe to iterate while children come and go)."""
        return list(self._by_id.values())

    def __contains__(self, child: object) -> bool:
        return isinstance(child, Child) and self._by_id.get(child.id) is child

    def __iter__(self) -> Iterator[Child]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)


@attrs.frozen(eq=False)
class RestartDue:
    """Sent to the supervisor's loop when a DELAYED child's backoff delay has passed."""

    child: Child


@attrs.define(eq=False)
class Instance:
    """One run of a child's ``start``: its task, scope, handle and outcome."""

    child: Child
    scope: trio.CancelScope = attrs.Factory(trio.CancelScope)
    exited: Flag = attrs.Factory(lambda: Flag())
    settled: Flag = attrs.Factory(lambda: Flag())
    """Set once it reported started or ended, whichever comes first."""
    task: trio.lowlevel.Task | None = None
    handle: object = None
    started: bool = False
    error: Exception | None = None


class _StartRelay(trio.TaskStatus[Any]):
    """The ``task_status`` a child sees: tells the roster, then trio, that it is up."""

    def __init__(
        self,
        forward: trio.TaskStatus[Any],
        on_started: Callable[[object], None],
        after_started: Callable[[], None],
    ) -> None:
        self._forward = forward
        self._on_started = on_started
        self._after_started = after_started
        self.was_started = False

    def started(self, value: object = None) -> None:
        if self.was_started:
            raise RuntimeError("called 'started' twice on the same task status")
        self._on_started(value)
        self.was_started = True
        self._forward.started(value)
        self._after_started()


class Roster:
    """The children of one supervisor run, in start order, and how to start and stop them.

    Every ended instance that had reported started is sent to ``exits``, and so is an
    instance started by :meth:`restart_soon` that failed to start; an instance the
    roster stopped itself is no longer its child's ``instance`` by the time the
    supervisor reads it, which is how the supervisor tells the two apart.
    """

    def __init__(
        self,
        specs: Iterable[ChildSpec[Any]],
        *,
        supervisor: str,
        nursery: trio.Nursery,
        registry: Registry,
        exits: trio.MemorySendChannel[Any],
        log: Any,
    ) -> None:
        self.children = Children(Child(spec) for spec in specs)
        self._supervisor = supervisor
        self._nursery = nursery
        self._registry = registry
        self._exits = exits
        self._log = log

    def find(self, id: str) -> Child | None:
        return self.children.find(id)

    # -- starting --------------------------------------------------------------------

    async def start_pending(self) -> tuple[Child, Exception] | None:
        """Start, in order, every pending child; stop at the first that fails to start."""
        for child in self.children.in_order():
            if child.state is ChildState.PENDING:
                error = await self.start(child)
                if error is not None:
                    return child, error
        return None

    async def start(self, child: Child) -> Exception | None:
        """Start one instance of ``child``: None once it reported started, or its error.

        Cancellation of the caller before the child reported started cancels the child
        and propagates; the child is left PENDING with no instance.
        """
        instance = self.prepare(child)
        try:
            error = await self.launch(instance)
        except BaseException:
            self.forget(instance)
            raise
        if error is not None:
            self.forget(instance)
        return error

    def prepare(self, child: Child) -> Instance:
        """Make ``child`` STARTING with a new instance, to :meth:`launch` next.

        Synchronous, so a decision to start a child and the child's new state are one
        step: no other task sees it PENDING in between and starts it a second time.
        """
        instance = Instance(child)
        child.instance, child.state = instance, ChildState.STARTING
        child.starts += 1
        return instance

    async def launch(self, instance: Instance) -> Exception | None:
        """Run a prepared instance until it reported started (None) or failed to (its error).

        The instance runs under the caller's cancel scopes until it reported started, so
        a cancelled caller cancels it (and the cancellation propagates). Leaves the
        child's fields as they are: the caller decides what a failure means.
        """
        try:
            await self._nursery.start(self._run_instance, instance)
        except Exception as error:
            return error
        return None

    def forget(self, instance: Instance) -> None:
        """A start that failed: back to PENDING with no instance, unless it was replaced."""
        child = instance.child
        if child.instance is instance:
            child.instance, child.state = None, ChildState.PENDING

    def restart_soon(self, child: Child) -> None:
        """Start a new instance of ``child`` in a task of its own, without waiting for it.

        The child is STARTING when this returns. If it fails to start, the instance (its
        ``error`` set) is sent to ``exits`` like a crash, for the supervisor to decide
        again; once it reported started, it is registered like any other.
        """
        self._nursery.start_soon(self._launch_and_report, self.prepare(child))

    def restart_later(self, child: Child, delay: float, *, relaunch: bool) -> None:
        """Make ``child`` DELAYED, and start it again in ``delay`` seconds.

        The wait runs in a task of its own, in a cancel scope that :meth:`cancel_delay`
        (and stopping the roster) cancels; nothing is held while it sleeps. Then, with
        ``relaunch``, that task starts the new instance itself, as :meth:`restart_soon`
        does (ONE_FOR_ONE: no decision is left to take); without, it sends
        :class:`RestartDue` to ``exits`` for the supervisor to restart the child's group.
        """
        scope = trio.CancelScope()
        child.state, child.delay = ChildState.DELAYED, scope
        self._nursery.start_soon(self._wait_then_restart, child, delay, scope, relaunch)

    async def _wait_then_restart(
        self, child: Child, delay: float, scope: trio.CancelScope, relaunch: bool
    ) -> None:
        with scope:
            await trio.sleep(delay)
        if child.delay is not scope or scope.cancelled_caught:
            return  # called off: terminated, or the supervisor is stopping
        child.delay = None
        if not relaunch:
            self._exits.send_nowait(RestartDue(child))
            return
        await self._launch_and_report(self.prepare(child))

    def cancel_delay(self, child: Child) -> None:
        """Call off a DELAYED child's pending start (it is being stopped or removed)."""
        if child.delay is not None:
            child.delay.cancel()
            child.delay = None

    async def _launch_and_report(self, instance: Instance) -> None:
        error = await self.launch(instance)
        if error is not None:
            instance.error = error
            self._exits.send_nowait(instance)

    async def _run_instance(self, instance: Instance, *, task_status: trio.TaskStatus[Any]) -> None:
        """The task of one child instance: run it, catch its error, report its end."""
        instance.task = trio.lowlevel.current_task()
        relay = _StartRelay(
            task_status,
            on_started=lambda handle: self._on_started(instance, handle),
            after_started=lambda: self._shield_if_adopted(instance),
        )
        try:
            with instance.scope:
                await instance.child.spec.start(task_status=relay)
        except Exception as error:
            instance.error = error
            self._log.error("child_crashed", child_id=instance.child.id, exc_info=error)
            if not relay.was_started:
                raise  # a failed start: nursery.start raises it in whoever started it
        finally:
            self._on_ended(instance)
        if not relay.was_started:
            if instance.scope.cancelled_caught:
                raise SupervisorNotRunning(
                    self._supervisor, f"start {instance.child.id!r}", "stopping"
                )
            raise ChildNeverStarted(instance.child.id)
        self._exits.send_nowait(instance)

    def _on_started(self, instance: Instance, handle: object) -> None:
        child = instance.child
        self._registry.register(child.id, handle)
        instance.handle, instance.started = handle, True
        instance.settled.set()
        child.state = ChildState.RUNNING
        child.failures = 0
        event = "child_started" if child.starts == 1 else "child_restarted"
        self._log.info(event, child_id=child.id, restarts=child.starts - 1)

    def _shield_if_adopted(self, instance: Instance) -> None:
        """Once in the supervisor's nursery, only the supervisor cancels it (stop order).

        If whoever called ``start`` was cancelled meanwhile, trio leaves the task where
        it was, to be cancelled with its caller: it must not be shielded then.
        """
        assert instance.task is not None
        if instance.task.parent_nursery is self._nursery:
            instance.scope.shield = True

    def _on_ended(self, instance: Instance) -> None:
        if instance.started:
            self._registry.unregister(instance.child.id, instance.handle)
        instance.exited.set()
        instance.settled.set()

    # -- stopping --------------------------------------------------------------------

    def abort_starts(self) -> None:
        """Cancel every instance still starting (a ``start_child`` in another task), and
        every start still waiting for its backoff delay."""
        for child in self.children:
            self.cancel_delay(child)
            if child.instance is not None and not child.instance.started:
                child.instance.scope.cancel()

    async def stop_all(self, *, graceful: bool) -> None:
        """Stop every child in reverse start order; ``graceful=False`` cancels each at once."""
        reason = "shutdown" if graceful else "supervisor cancelled"
        for child in reversed(self.children.in_order()):
            if child.instance is not None:
                await self.stop(child, graceful=graceful, reason=reason)
            child.state = ChildState.STOPPED

    async def stop(self, child: Child, *, graceful: bool, reason: str) -> None:
        """Ask ``child`` to stop, wait its grace period, then cancel it and wait it out.

        Returns only once its instance has ended, even if the caller is cancelled (the
        child is then cancelled at once). Leaves ``child.instance`` None.
        """
        instance = child.instance
        assert instance is not None
        child.state = ChildState.STOPPING
        try:
            if graceful:
                await self._ask_to_stop(instance)
        finally:
            instance.scope.cancel()
            with trio.CancelScope(shield=True):
                await instance.exited.wait()
            if child.instance is instance:
                child.instance = None
        self._log.info("child_stopped", child_id=child.id, reason=reason)

    async def _ask_to_stop(self, instance: Instance) -> None:
        grace = instance.child.spec.shutdown
        request_stop = getattr(instance.handle, "request_stop", None)
        if grace <= 0 or not instance.started or not callable(request_stop):
            return
        try:
            request_stop()
        except Exception as error:
            self._log.warning(
                "child_request_stop_failed", child_id=instance.child.id, exc_info=error
            )
            return
        with trio.move_on_after(grace):
            await instance.exited.wait()
