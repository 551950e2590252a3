"""The mailbox: a bounded FIFO queue of envelopes in front of one actor.

It is a small, purpose-built channel rather than a ``trio.MemoryChannel`` because an
actor needs what a channel does not give: overflow policies that evict or coalesce
waiting messages, a cheap ``peek`` for batching, and closing that lets the owner drain
what is already queued. Its checkpoint behaviour follows trio's memory channels:
``send`` and ``receive`` are checkpoints, ``*_nowait`` never are.

Order: messages are received in the order they entered the queue. A sender that waits
for space re-checks in its turn, so messages from one sender (one task) keep their order.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import attrs
import trio

from actorview.mailbox._errors import ActorStopped, MailboxFull, Superseded
from actorview.mailbox._lease import Lease
from actorview.mailbox._overflow import Backpressure, CoalesceByKey, OverflowPolicy


class Reply:
    """The one-shot answer slot of an ``ask``: set once, by the actor or the runtime."""

    __slots__ = ("_done", "_error", "_value")

    def __init__(self) -> None:
        self._done = trio.Event()
        self._value: Any = None
        self._error: BaseException | None = None

    def set(self, value: Any) -> None:
        if not self._done.is_set():
            self._value = value
            self._done.set()

    def fail(self, error: BaseException) -> None:
        if not self._done.is_set():
            self._error = error
            self._done.set()

    async def wait(self) -> Any:
        await self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value


Envelope = tuple[Any, "Reply | None", "Lease | None"]
"""``(message, reply, lease)``: a message with what the runtime needs to know about it.

A plain tuple, not a class, because one is made per message on the hot path.
"""


@attrs.define
class MailboxStats:
    """Counters kept by the mailbox and its actor; read them in tests and benchmarks."""

    received: int = 0
    evicted: int = 0
    coalesced: int = 0
    revoked: int = 0
    unhandled: int = 0
    batches: int = 0


class Mailbox:
    """A bounded queue of :class:`Envelope` with an overflow policy.

    ``capacity`` counts waiting messages; it must be at least 1.
    """

    def __init__(self, capacity: int = 64, overflow: OverflowPolicy | None = None) -> None:
        if capacity < 1:
            raise ValueError(f"mailbox capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self.overflow: OverflowPolicy = overflow if overflow is not None else Backpressure()
        self.stats = MailboxStats()
        self._queue: list[Envelope] = []
        """Oldest first. A list, not a deque: it is short (the actor takes each message
        as it comes, or a batch of them at once; at most ``capacity``), and every live
        view has one, where an empty deque costs 760 bytes."""
        self._closed = False
        self._waiting_senders: trio.lowlevel.ParkingLot | None = None
        """Made when a sender first waits for space (only under backpressure, rarely)."""
        self._waiting_receiver = trio.lowlevel.ParkingLot()
        self._blocks = isinstance(self.overflow, Backpressure)
        self._coalesce_key = self.overflow.key if isinstance(self.overflow, CoalesceByKey) else None
        self._by_key: dict[Hashable, Envelope] = {}
        self.drowsy = False
        """Set by the actor while it waits for a deadline with nothing to do (a held-back
        render, ``Actor.set_deadline``): a stream's message (one told under a lease,
        with no reply awaited) is queued without waking it, until the deadline or until
        half the capacity waits; any other message wakes it at once."""

    def __len__(self) -> int:
        return len(self._queue)

    @property
    def closed(self) -> bool:
        return self._closed

    # -- sending -------------------------------------------------------------------

    def put_nowait(self, envelope: Envelope) -> None:
        """Queue ``envelope`` now, applying the overflow policy if the mailbox is full.

        Raises :class:`ActorStopped` once closed, and :class:`MailboxFull` when full under
        :class:`Backpressure`.
        """
        if self._closed:
            raise ActorStopped("the mailbox is closed: the actor has stopped")
        if self._coalesce_key is not None:
            self._coalesce(envelope)
        if len(self._queue) >= self.capacity:
            if self._blocks:
                raise MailboxFull(f"the mailbox is full ({self.capacity} waiting)")
            self._evict_oldest()
        self._queue.append(envelope)
        if self._waiting_receiver and not (
            self.drowsy
            and envelope[2] is not None
            and envelope[1] is None
            and 2 * len(self._queue) < self.capacity
        ):
            self._waiting_receiver.unpark()

    async def put(self, envelope: Envelope) -> None:
        """Queue ``envelope``, waiting for space under :class:`Backpressure`.

        A checkpoint. If cancelled while waiting, the message was not queued.
        """
        await trio.lowlevel.checkpoint_if_cancelled()
        while self._blocks and len(self._queue) >= self.capacity and not self._closed:
            if self._waiting_senders is None:
                self._waiting_senders = trio.lowlevel.ParkingLot()
            await self._waiting_senders.park()
        self.put_nowait(envelope)
        await trio.lowlevel.cancel_shielded_checkpoint()

    def _coalesce(self, envelope: Envelope) -> None:
        assert self._coalesce_key is not None
        key = self._coalesce_key(envelope[0])
        if key is None:
            return
        previous = self._by_key.pop(key, None)
        if previous is not None and self._remove(previous):
            self.stats.coalesced += 1
            _answer_superseded(previous)
        self._by_key[key] = envelope

    def _remove(self, envelope: Envelope) -> bool:
        for index, queued in enumerate(self._queue):
            if queued is envelope:
                del self._queue[index]
                return True
        return False

    def _evict_oldest(self) -> None:
        evicted = self._queue.pop(0)
        self.stats.evicted += 1
        self._forget_key(evicted)
        _answer_superseded(evicted)

    def _forget_key(self, envelope: Envelope) -> None:
        if self._coalesce_key is None:
            return
        key = self._coalesce_key(envelope[0])
        if key is not None and self._by_key.get(key) is envelope:
            del self._by_key[key]

    # -- receiving -----------------------------------------------------------------

    def get_nowait(self) -> Envelope:
        """Take the oldest envelope. Raises ``trio.WouldBlock`` if none is waiting,
        ``trio.EndOfChannel`` if none is waiting and the mailbox is closed."""
        if not self._queue:
            raise trio.EndOfChannel if self._closed else trio.WouldBlock
        envelope = self._queue.pop(0)
        if self._coalesce_key is not None:
            self._forget_key(envelope)
        self.stats.received += 1
        if self._waiting_senders:
            self._waiting_senders.unpark()
        return envelope

    def peek_nowait(self) -> Envelope | None:
        """The oldest waiting envelope without taking it, or None."""
        return self._queue[0] if self._queue else None

    async def get(self) -> Envelope:
        """Take the oldest envelope, waiting for one. A checkpoint.

        After :meth:`close`, what is queued is still returned; then ``trio.EndOfChannel``.
        """
        await trio.lowlevel.checkpoint_if_cancelled()
        parked = False
        while not self._queue and not self._closed:
            await self._waiting_receiver.park()
            parked = True
        envelope = self.get_nowait()
        if not parked:
            await trio.lowlevel.cancel_shielded_checkpoint()
        return envelope

    def close(self) -> None:
        """Refuse new messages; the owner may still drain what is queued."""
        self._closed = True
        if self._waiting_senders is not None:
            self._waiting_senders.unpark_all()
        self._waiting_receiver.unpark_all()

    def drain_unhandled(self, error: BaseException) -> int:
        """Empty the queue, failing each waiting ``ask`` with ``error``; return the count."""
        count = len(self._queue)
        queue, self._queue = self._queue, []
        for _, reply, _ in queue:
            if reply is not None:
                reply.fail(error)
        self._by_key.clear()
        return count


def _answer_superseded(envelope: Envelope) -> None:
    message, reply, _ = envelope
    if reply is not None:
        reply.fail(Superseded(f"{message!r} was dropped by the mailbox's overflow policy"))
