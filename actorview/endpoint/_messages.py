"""A one-message hand-off from a WebSocket's reader task to its ``get_message``.

trio-websocket passes each received message through ``trio.open_memory_channel(1)``:
two channel objects and a shared state holding a deque and two ordered dicts, about 2 KB
that every live socket keeps for its life, and a few hundred bytes more per wait.
:class:`MessageQueue` is the same contract for one reader and one receiver, in one
slotted object: ``ServerWebSocket`` puts it in the place of both channels.

The contract kept (trio's memory channel with a buffer of ``size``):

- ``send`` hands the message to a waiting ``receive``, or buffers it while fewer than
  ``size`` wait, or waits for room; it raises ``trio.BrokenResourceError`` once the
  receiving side is closed and ``trio.ClosedResourceError`` once the sending side is.
- ``receive`` returns the oldest message, or waits; once the sending side is closed and
  nothing waits it raises ``trio.EndOfChannel``; once the receiving side is closed,
  ``trio.ClosedResourceError``.
- Closing the sending side (``async with``, ``aclose`` of the send channel) wakes a
  waiting receiver with ``EndOfChannel``; closing the receiving side (``aclose`` of the
  receive channel) drops what waits and wakes a waiting sender with
  ``BrokenResourceError``. Both are idempotent.
- Each call is a checkpoint; one cancelled while it waits has not sent (or received).

trio-websocket calls ``aclose`` on both of its channels, so the two sides are told
apart by who holds them: :meth:`sending` and :meth:`receiving` are the two views.
"""

from __future__ import annotations

from types import TracebackType

import trio


class MessageQueue:
    """The shared state; use :meth:`sending` and :meth:`receiving` (see the module)."""

    __slots__ = (
        "_buffer",
        "_handed",
        "_receiver",
        "_receiving_closed",
        "_sender",
        "_sending_closed",
        "_size",
        "_waiting_message",
    )

    def __init__(self, size: int) -> None:
        self._size = size
        self._buffer: list[str | bytes] = []
        self._receiver: trio.lowlevel.Task | None = None
        self._sender: trio.lowlevel.Task | None = None
        self._waiting_message: str | bytes = ""
        """What the waiting sender sends."""
        self._handed: str | bytes | None = None
        """What a sender handed to the waiting receiver (None: it was woken to end)."""
        self._sending_closed = False
        self._receiving_closed = False

    def sending(self) -> SendingSide:
        return SendingSide(self)

    def receiving(self) -> ReceivingSide:
        return ReceivingSide(self)

    # -- sending -----------------------------------------------------------------------

    async def send(self, message: str | bytes) -> None:
        await trio.lowlevel.checkpoint_if_cancelled()
        self._check_send()
        if self._receiver is not None:
            receiver, self._receiver = self._receiver, None
            self._handed = message
            trio.lowlevel.reschedule(receiver)
        elif len(self._buffer) < self._size:
            self._buffer.append(message)
        else:
            self._sender = trio.lowlevel.current_task()
            self._waiting_message = message

            def abort(_: object) -> trio.lowlevel.Abort:
                self._sender = None
                self._waiting_message = ""
                return trio.lowlevel.Abort.SUCCEEDED

            await trio.lowlevel.wait_task_rescheduled(abort)
            self._check_send()  # woken by a close: the message was not sent
            return
        await trio.lowlevel.cancel_shielded_checkpoint()

    def _check_send(self) -> None:
        if self._sending_closed:
            raise trio.ClosedResourceError("the sending side is closed")
        if self._receiving_closed:
            raise trio.BrokenResourceError("the receiving side is closed")

    def close_sending(self) -> None:
        if self._sending_closed:
            return
        self._sending_closed = True
        if self._receiver is not None:
            receiver, self._receiver = self._receiver, None
            self._handed = None
            trio.lowlevel.reschedule(receiver)

    # -- receiving ---------------------------------------------------------------------

    async def receive(self) -> str | bytes:
        await trio.lowlevel.checkpoint_if_cancelled()
        message = self._take()
        if message is not None:
            await trio.lowlevel.cancel_shielded_checkpoint()
            return message
        self._receiver = trio.lowlevel.current_task()

        def abort(_: object) -> trio.lowlevel.Abort:
            self._receiver = None
            return trio.lowlevel.Abort.SUCCEEDED

        await trio.lowlevel.wait_task_rescheduled(abort)
        handed, self._handed = self._handed, None
        if handed is None:  # woken by a close: raises what a receive now raises
            self._take()
            raise trio.EndOfChannel  # (not reached: a waiting receiver means nothing waits)
        return handed

    def _take(self) -> str | bytes | None:
        """The oldest waiting message (a waiting sender's moves up), or None; raises
        what a receive on a closed or ended queue raises."""
        if self._receiving_closed:
            raise trio.ClosedResourceError("the receiving side is closed")
        if self._buffer:
            message = self._buffer.pop(0)
            if self._sender is not None:
                sender, self._sender = self._sender, None
                self._buffer.append(self._waiting_message)
                self._waiting_message = ""
                trio.lowlevel.reschedule(sender)
            return message
        if self._sending_closed:
            raise trio.EndOfChannel
        return None

    def close_receiving(self) -> None:
        if self._receiving_closed:
            return
        self._receiving_closed = True
        self._buffer.clear()
        if self._sender is not None:
            sender, self._sender = self._sender, None
            self._waiting_message = ""
            trio.lowlevel.reschedule(sender)
        if self._receiver is not None:  # a receive waiting while its own side closes
            receiver, self._receiver = self._receiver, None
            self._handed = None
            trio.lowlevel.reschedule(receiver)


class SendingSide:
    """The reader's end: ``send``, ``aclose``, and ``async with`` (closes on exit)."""

    __slots__ = ("_queue",)

    def __init__(self, queue: MessageQueue) -> None:
        self._queue = queue

    async def send(self, message: str | bytes) -> None:
        await self._queue.send(message)

    async def aclose(self) -> None:
        self._queue.close_sending()
        await trio.lowlevel.checkpoint()

    async def __aenter__(self) -> SendingSide:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._queue.close_sending()


class ReceivingSide:
    """``get_message``'s end: ``receive`` and ``aclose``."""

    __slots__ = ("_queue",)

    def __init__(self, queue: MessageQueue) -> None:
        self._queue = queue

    async def receive(self) -> str | bytes:
        return await self._queue.receive()

    async def aclose(self) -> None:
        self._queue.close_receiving()
        await trio.lowlevel.checkpoint()
