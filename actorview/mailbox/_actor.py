"""The actor: one trio task that owns its state and handles its mailbox, clause by clause.

An :class:`Actor` subclass declares clauses with :func:`~actorview.mailbox.on`. Its
``run`` method is the actor's whole life: it opens the actor's own nursery (tasks the
actor starts live and die there), reports itself started, then takes one message at a
time, picks the first clause whose pattern and guard accept it, runs it, and calls
``after_batch``. Others reach it only through its :class:`ActorRef`.

    >>> import attrs, trio
    >>> from actorview.mailbox import Actor, on
    >>> @attrs.frozen
    ... class Add:
    ...     amount: int
    >>> @attrs.frozen
    ... class Total:
    ...     pass
    >>> class Counter(Actor):
    ...     def __init__(self) -> None:
    ...         super().__init__(name="counter")
    ...         self.total = 0
    ...     @on(Add, when=lambda self, amount: amount > 0, batch=True)
    ...     def add(self, amount: int) -> None:
    ...         self.total += amount
    ...     @on(Total)
    ...     def report(self, message: Total) -> int:
    ...         return self.total
    >>> async def main() -> int:
    ...     async with trio.open_nursery() as nursery:
    ...         counter = await nursery.start(Counter().run)
    ...         await counter.tell(Add(2))
    ...         total = await counter.ask(Total())
    ...         counter.request_stop()
    ...     return total
    >>> trio.run(main)
    2
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Literal

import attrs
import trio

from actorview.errors import DefinitionError
from actorview.lifecycle import ActorState
from actorview.logging import get_logger
from actorview.mailbox._clauses import (
    Clause,
    CompiledClause,
    build_dispatch_index,
    clauses_for,
    collect_clauses,
    require_sendable,
)
from actorview.mailbox._errors import (
    ActorCrashed,
    ActorKilled,
    ActorStopped,
    AskTimeout,
    UnhandledMessage,
    WrongMessageType,
)
from actorview.mailbox._lease import Lease
from actorview.mailbox._mailbox import Envelope, Mailbox, Reply
from actorview.mailbox._overflow import OverflowPolicy

_actor_ids = itertools.count(1)

UnhandledPolicy = Literal["drop", "raise"]


class ActorRef:
    """The address of a running actor: the only way other tasks talk to it.

    It checks a message's type at the sender, so a wrong message fails where it was
    written, with a :class:`~actorview.mailbox.WrongMessageType` naming the actor and
    what it accepts.
    """

    __slots__ = ("_accepted_exact", "_accepts", "_actor", "_mailbox", "name")

    def __init__(self, actor: Actor) -> None:
        self._actor = actor
        self._mailbox = actor._mailbox
        self._accepts = type(actor).__accepts__
        self._accepted_exact = type(actor).__accepted_exact__  # one per class, shared
        self.name = actor._name

    def __repr__(self) -> str:
        return f"<ActorRef {self.name} ({self._actor._state.value})>"

    @property
    def state(self) -> ActorState:
        return self._actor._state

    def _check(self, message: Any) -> None:
        if type(message) in self._accepted_exact or isinstance(message, self._accepts):
            return
        accepted = ", ".join(t.__name__ for t in self._accepts) or "nothing"
        raise WrongMessageType(
            f"{self.name} ({type(self._actor).__name__}) accepts {accepted}; got a "
            f"{type(message).__name__}: {message!r}. Send one of the accepted types, or "
            f"declare a clause for {type(message).__name__} on {type(self._actor).__name__}."
        )

    def tell_nowait(self, message: Any, *, lease: Lease | None = None) -> None:
        """Queue ``message`` without waiting; never a checkpoint.

        Raises :class:`MailboxFull` if the mailbox is full and applies backpressure, and
        :class:`ActorStopped` if the actor has stopped. Under a non-blocking overflow
        policy it always succeeds while the actor runs.
        """
        self._check(message)
        self._mailbox.put_nowait((message, None, lease))

    async def tell(self, message: Any, *, lease: Lease | None = None) -> None:
        """Queue ``message``, waiting for space if the mailbox applies backpressure.

        Returns once the message is queued, not handled. If cancelled while waiting,
        the message was not queued.
        """
        self._check(message)
        await self._mailbox.put((message, None, lease))

    async def ask(self, message: Any, *, timeout: float | None = 5.0) -> Any:  # noqa: ASYNC109
        """Send ``message`` and wait for the handling clause's return value.

        Raises :class:`AskTimeout` if no answer came within ``timeout`` seconds (the
        message may still be handled later; its answer is then discarded),
        :class:`UnhandledMessage` if no clause took it, :class:`ActorCrashed` if the
        clause raised (the actor crashed too), :class:`ActorStopped` if the actor stopped
        before handling it.
        """
        self._check(message)
        reply = Reply()
        with trio.move_on_after(float("inf") if timeout is None else timeout):
            await self._mailbox.put((message, reply, None))
            return await reply.wait()
        raise AskTimeout(f"{self.name} did not answer {type(message).__name__} within {timeout} s")

    def request_stop(self) -> None:
        """Ask the actor to stop: new messages are refused, queued ones still handled.

        Returns at once; ``run`` returns when the queue is drained.
        """
        Actor.stop(self._actor)

    def kill(self, reason: str = "killed") -> None:
        """Crash the actor at once (OTP's ``exit(Pid, kill)``); see :meth:`Actor.kill`."""
        Actor.kill(self._actor, reason)


class Actor:
    """Base class of actors. Subclass it, declare clauses with ``@on``, call ``run``.

    Class keywords:
        accepts: the message types the mailbox takes (frozen attrs classes). Defaults
            to the types the clauses name.
        unhandled: what happens to a message no clause takes: ``"drop"`` (default:
            logged at debug, counted in ``mailbox.stats.unhandled``, then
            :meth:`unhandled` is called) or ``"raise"`` (the actor crashes with
            :class:`UnhandledMessage`).

    Constructor:
        name: shown in logs and errors; defaults to the class name and a number.
        capacity: how many messages may wait in the mailbox.
        overflow: what a full mailbox does; backpressure by default.
        max_batch: most messages handled in one coalesced batch, for fairness.
    """

    __clauses__: ClassVar[tuple[Clause, ...]] = ()
    __accepts__: ClassVar[tuple[type, ...]] = ()
    __accepted_exact__: ClassVar[frozenset[type]] = frozenset()
    """``__accepts__`` as a set, for the exact-type check every tell makes first."""
    # Slots for the runtime's own state: every live view is an actor, and a dict of a
    # dozen attributes costs about a kilobyte more per instance. A subclass that sets
    # attributes of its own still gets a ``__dict__``, made when it first does.
    __slots__ = (
        "__weakref__",
        "_actor_id",
        "_current_lease",
        "_deadline",
        "_killed",
        "_log",
        "_mailbox",
        "_max_batch",
        "_name",
        "_nursery",
        "_ref",
        "_state",
    )

    __unhandled__: ClassVar[UnhandledPolicy] = "drop"
    _declared_accepts: ClassVar[tuple[type, ...] | None] = None
    _dispatch_index: ClassVar[dict[type, tuple[CompiledClause, ...]]] = {}
    _clauses_by_type: ClassVar[dict[type, tuple[CompiledClause, ...]]] = {}
    _has_after_batch: ClassVar[bool] = False

    def __init_subclass__(
        cls,
        *,
        accepts: tuple[type, ...] | None = None,
        unhandled: UnhandledPolicy | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if unhandled is not None:
            if unhandled not in ("drop", "raise"):
                raise DefinitionError(
                    f"{cls.__name__}: unhandled={unhandled!r} is not a policy; "
                    f'use unhandled="drop" or unhandled="raise".'
                )
            cls.__unhandled__ = unhandled
        if accepts is not None:
            cls._declared_accepts = tuple(accepts)
        cls.__clauses__ = collect_clauses(cls)
        cls.__accepts__ = _accepted_types(cls)
        cls.__accepted_exact__ = frozenset(cls.__accepts__)
        cls._dispatch_index = build_dispatch_index(cls.__clauses__)
        cls._clauses_by_type = {}
        cls._has_after_batch = cls.after_batch is not Actor.after_batch

    def __init__(
        self,
        *,
        name: str | None = None,
        capacity: int = 64,
        overflow: OverflowPolicy | None = None,
        max_batch: int = 256,
    ) -> None:
        # The actor's machinery lives under private names, read through the properties
        # below: a subclass may take a public name for itself (a view's field ``name``)
        # without breaking the runtime, which never reads the public names.
        self._actor_id = next(_actor_ids)
        self._name = name or f"{type(self).__name__}-{self._actor_id}"
        self._mailbox = Mailbox(capacity, overflow)
        self._max_batch = max_batch
        self._state = ActorState.PENDING
        self._log = get_logger(actor_id=self._actor_id, actor=type(self).__name__, name=self._name)
        self._ref = ActorRef(self)
        self._nursery: trio.Nursery | None = None
        self._killed: ActorKilled | None = None
        self._deadline: float | None = None
        self._current_lease: Lease | None = None

    # -- what others read --------------------------------------------------------------

    @property
    def actor_id(self) -> int:
        """A number unique to this actor in the process (in every log line)."""
        return self._actor_id

    @property
    def name(self) -> str:
        """Shown in logs and errors (the constructor's ``name``)."""
        return self._name

    @property
    def mailbox(self) -> Mailbox:
        """The actor's mailbox (its ``stats`` count what it handled)."""
        return self._mailbox

    @property
    def max_batch(self) -> int:
        """Most messages handled in one coalesced batch."""
        return self._max_batch

    @property
    def state(self) -> ActorState:
        """Where the actor is in its life (:class:`~actorview.lifecycle.ActorState`)."""
        return self._state

    @property
    def log(self) -> Any:
        """The actor's structlog logger, bound to its id, class and name."""
        return self._log

    @property
    def ref(self) -> ActorRef:
        """The actor's address: the only way other tasks talk to it."""
        return self._ref

    @property
    def current_lease(self) -> Lease | None:
        """The lease of the message being matched or handled (``None``: told without
        one). Set before its clauses' guards run and kept while its handler runs, so a
        guard or handler may read who sent it (a view reads a run's key from it)."""
        return self._current_lease

    # -- hooks for subclasses ------------------------------------------------------

    async def on_start(self) -> None:
        """Runs inside ``run`` before the actor reports itself started."""

    async def on_stop(self) -> None:
        """Runs after a normal stop (not on crash or cancellation), inside the nursery."""

    def _released(self) -> None:
        """Runs once ``run`` ends, however it ends (stopped, crashed, killed or
        cancelled), after the actor's nursery and before its mailbox closes: a subclass
        lets go here of what it holds outside trio (a view's topic subscriptions),
        rather than in a task that waits out the actor's life. Must not raise or await.
        """

    def after_batch(self) -> Awaitable[None] | None:
        """Runs once after each handled message, or once after a coalesced batch.

        May be overridden with an ``async def``. Not called for a message no clause took
        or one dropped because its lease was revoked: those change nothing.
        """

    async def on_deadline(self) -> None:
        """Runs in the actor's task when the deadline set by :meth:`set_deadline` passes
        with the mailbox empty, or when the mailbox closes with a deadline still set.

        The view layer uses it to send a render it held back to keep one frame per frame
        interval. Not called after a crash or cancellation.
        """

    def set_deadline(self, at: float | None) -> None:
        """Ask for :meth:`on_deadline` at trio time ``at`` (``None`` clears it).

        Messages keep priority: while they arrive the actor handles them, and the hook
        runs once the mailbox is empty past ``at`` (or at once when the mailbox closes).
        While the actor waits for ``at`` with nothing to do, a stream's message (told
        under a lease, no reply awaited) does not wake it: such messages wait until
        ``at`` (or until half the mailbox's capacity waits) and are then handled first,
        in one batch where their clauses batch; anything else wakes it at once.
        Call it from the actor's own task.
        """
        self._deadline = at

    def unhandled(self, message: Any) -> None:
        """The fallback for a message no clause took, under ``unhandled="drop"``."""
        self._log.debug("actor.unhandled", message_type=type(message).__name__)

    # -- life ------------------------------------------------------------------------

    @property
    def nursery(self) -> trio.Nursery:
        """The actor's own nursery; tasks started here end when the actor ends."""
        if self._nursery is None:
            raise RuntimeError(f"{self._name} is not running: it has no nursery")
        return self._nursery

    def kill(self, reason: str = "killed") -> None:
        """Crash the actor now, wherever it is, as if a handler had raised.

        Sync; the actor's task is cancelled at once, and ``run`` raises
        :class:`ActorKilled` with ``reason`` (so a supervisor treats it as a crash and
        restarts it per its spec). Does nothing once the actor has ended.
        """
        if self._state.active and self._killed is None:
            self._killed = ActorKilled(f"{self._name} was killed: {reason}")
            if self._nursery is not None:  # else ``run`` cancels it as it opens it
                self._nursery.cancel_scope.cancel()

    def stop(self) -> None:
        """Close the mailbox; ``run`` returns once the queued messages are handled."""
        if self._state in (ActorState.PENDING, ActorState.RUNNING):
            self._state = ActorState.STOPPING
        self._mailbox.close()

    async def run(
        self, *, task_status: trio.TaskStatus[ActorRef] = trio.TASK_STATUS_IGNORED
    ) -> None:
        """Run the actor until it is stopped, cancelled, or a handler raises.

        Reports ``self._ref`` through ``task_status`` once it takes messages, so
        ``ref = await nursery.start(actor.run)`` returns a usable reference. On any
        exit, the actor's nursery is cancelled (its tasks end with it), the mailbox is
        closed, and every ask still waiting gets :class:`ActorStopped`. A handler's
        exception propagates unchanged (not wrapped in an exception group).
        """
        if self._state is not ActorState.PENDING:
            raise RuntimeError(
                f"{self._name} has already run; an actor instance runs once. Make a new "
                f"instance (a supervisor's child spec does this on every restart)."
            )
        self._state = ActorState.RUNNING
        crash: Exception | None = None
        try:
            # One scope is the actor's life: ``kill`` cancels the nursery, so the body
            # and its tasks end together (the nursery absorbs the cancellation).
            async with trio.open_nursery() as nursery:
                self._nursery = nursery
                if self._killed is not None:
                    nursery.cancel_scope.cancel()
                try:
                    await self.on_start()
                    task_status.started(self._ref)
                    self._log.debug("actor.started")
                    await self._serve()
                    await self.on_stop()
                except Exception as error:
                    crash = error
                nursery.cancel_scope.cancel()
            if self._killed is not None:
                crash = self._killed
        finally:
            self._nursery = None
            self._released()
            self._mailbox.close()
            self._mailbox.drain_unhandled(ActorStopped(f"{self._name} stopped"))
            self._state = ActorState.FAILED if crash is not None else ActorState.STOPPED
        if crash is not None:
            raise crash
        self._log.debug("actor.stopped")

    # -- the message loop --------------------------------------------------------------

    async def _serve(self) -> None:
        mailbox = self._mailbox
        while True:
            envelope: Envelope | None
            try:
                if self._deadline is None:
                    envelope = await mailbox.get()
                else:
                    envelope = await self._get_before_deadline()
            except trio.EndOfChannel:
                if self._deadline is not None:
                    self._deadline = None
                    await self.on_deadline()
                return
            if envelope is None:
                continue
            clause = self._admit(envelope)
            if clause is None:
                continue
            await self._run_clause(clause, envelope)
            if clause.batch:
                await self._continue_batch()
            mailbox.stats.batches += 1
            if self._has_after_batch:
                pending = self.after_batch()
                if pending is not None:
                    await pending

    async def _get_before_deadline(self) -> Envelope | None:
        """The next envelope, or None once the deadline passed (``on_deadline`` ran)."""
        deadline = self._deadline
        assert deadline is not None
        mailbox = self._mailbox
        if len(mailbox):
            return await mailbox.get()
        # Streams' messages do not wake the actor until the deadline (Mailbox.drowsy):
        # a burst's tokens are handled in one batch, at the moment they are rendered.
        mailbox.drowsy = True
        try:
            with trio.move_on_at(deadline):
                return await mailbox.get()
        finally:
            mailbox.drowsy = False
        if len(mailbox):
            return mailbox.get_nowait()  # they are handled first; the deadline is past
        self._deadline = None
        await self.on_deadline()
        return None

    async def _continue_batch(self) -> None:
        """Handle the batch messages already waiting, without yielding in between."""
        mailbox = self._mailbox
        for _ in range(self._max_batch - 1):
            head = mailbox.peek_nowait()
            if head is None:
                return
            lease = self._current_lease = head[2]
            clause = None if lease is not None and lease.revoked else self._select(head[0])
            if clause is None:
                # Revoked or unhandled: it changes nothing, so it need not end the batch.
                self._admit(mailbox.get_nowait())
            elif clause.batch:
                await self._run_clause(clause, mailbox.get_nowait())
            else:
                return

    def _admit(self, envelope: Envelope) -> CompiledClause | None:
        """The clause that takes this envelope, or None after dropping it."""
        message, _, lease = envelope
        if lease is not None and lease.revoked:
            self._mailbox.stats.revoked += 1
            return None
        self._current_lease = lease
        clause = self._select(message)
        if clause is None:
            self._drop_unhandled(envelope)
        return clause

    def _select(self, message: Any) -> CompiledClause | None:
        by_type = self._clauses_by_type
        candidates = by_type.get(type(message))
        if candidates is None:
            candidates = by_type[type(message)] = clauses_for(self._dispatch_index, type(message))
        for clause in candidates:
            if clause.accepts(self, message):
                return clause
        return None

    async def _run_clause(self, clause: CompiledClause, envelope: Envelope) -> None:
        message, reply, self._current_lease = envelope
        try:
            result = clause.call(self, message)
            if clause.is_async:
                result = await result
        except trio.Cancelled:
            if reply is not None:
                reply.fail(ActorStopped(f"{self._name} was cancelled while handling this"))
            raise
        except BaseException as error:
            if reply is not None:
                crashed = ActorCrashed(f"{self._name} crashed handling {message!r}")
                crashed.__cause__ = error
                reply.fail(crashed)
            raise
        if reply is not None:
            reply.set(result)

    def _drop_unhandled(self, envelope: Envelope) -> None:
        message, reply, _ = envelope
        self._mailbox.stats.unhandled += 1
        error = UnhandledMessage(
            f"{self._name}: no clause of {type(self).__name__} took {message!r} (no "
            f"pattern matched, or every guard was false)"
        )
        if reply is not None:
            reply.fail(error)
        if self.__unhandled__ == "raise":
            raise error
        self.unhandled(message)


def _accepted_types(cls: type[Actor]) -> tuple[type, ...]:
    clause_types = tuple(dict.fromkeys(clause.message_type for clause in cls.__clauses__))
    declared = cls._declared_accepts
    if declared is None:
        accepted = clause_types
    else:
        accepted = declared
        for clause in cls.__clauses__:
            require_sendable(
                f"{cls.__name__}.{clause.name}",
                clause.message_type,
                declared,
                f"it is not among accepts=({', '.join(t.__name__ for t in declared)})",
                "Add it to accepts, or remove the clause.",
            )
    for message_type in accepted:
        _require_frozen_attrs(cls, message_type)
    return accepted


def _require_frozen_attrs(cls: type, message_type: Any) -> None:
    frozen_setattr: Callable[..., Any] | None = getattr(message_type, "__setattr__", None)
    is_frozen = getattr(frozen_setattr, "__name__", "") == "_frozen_setattrs"
    if not (isinstance(message_type, type) and attrs.has(message_type) and is_frozen):
        raise DefinitionError(
            f"{cls.__name__}: message type {getattr(message_type, '__name__', message_type)!r} "
            f"must be a frozen attrs class, so that a message cannot change after it is "
            f"sent. Declare it with @attrs.frozen."
        )
