"""The frame clock: one task per server that writes every socket's waiting frames.

Without it, each live socket has a writer task that wakes for every frame its view
queues (``Core._write``): at one frame per token that is a task switch, a lock, a
timeout scope and two checkpoints per token per session. The clock replaces those
writers on the built-in server: an outbox that gets a frame marks its socket *due*
(``Outbox.on_ready``, sync), and the clock, woken once for however many sockets became
due meanwhile, makes one pass that takes each due outbox's frames and writes them with
:meth:`ClockedSocket.send_now` (framed, compressed, and written with one non-blocking
``write``, no checkpoint). Under load one wake-up writes the frames of many sessions.

The rules, in the order they apply:

1. A pass starts as soon as the clock task runs after a socket became due (no tick to
   wait for): an event's reply, the render it causes and a token's frame are written
   in the first pass after they are queued, as fast as a writer task would.
2. A socket whose connection was replaced (``Session.attach`` of a newer one) is
   never written again: its frames belong to the new socket's numbering.
3. Frames leave in queue order. A frame the socket did not take whole is finished by a
   task of its connection (``ClockedSocket.finish_send``, bounded by
   ``Limits.write_timeout``); until then the socket is not due, its outbox keeps
   merging, and its backlog limit holds (``Core._watch_backlog`` closes it with 4008).
4. A socket gone, or an outbox closed, ends the connection (its relay scope is
   cancelled), as the writer's end did; an outbox past its limit is left to the
   backlog watcher.
5. A compressed socket with no frame for ``rest_after`` seconds lets go of its
   compressor (the clock wakes for the earliest such moment).

An ASGI server owns its sends, so under ASGI each socket keeps its writer task
(``LiveSocket.clocked`` is None there). docs/PERFORMANCE.md has the figures.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import trio

from actorview.endpoint._outbox import ClientTooSlow, Outbox
from actorview.endpoint._sockets import ClockedSocket, SocketClosed
from actorview.logging import get_logger

_log = get_logger(component="endpoint")


@attrs.define(eq=False)
class Feed:
    """One socket the clock writes: its outbox, and the connection it belongs to."""

    socket: ClockedSocket
    outbox: Outbox
    relay: trio.CancelScope
    """Cancelled when the socket is gone or the outbox closed: the connection ends."""
    nursery: trio.Nursery
    """The connection's nursery, where the rest of a partly written frame is sent."""
    is_current: Callable[[], bool]
    """False once a newer connection took the session over (rule 2)."""
    last_sent: float
    rested: bool = False
    finishing: bool = False
    """A frame's rest is being sent by a task: not due until it is done (rule 3)."""
    detached: bool = False


class FrameClock:
    """The writer of every clocked socket of an application (``Core.clock``).

    :meth:`attach` a socket while its connection relays; :meth:`run` is the clock's task
    (``BuiltinServer.listen`` starts it; a second ``run`` at once, another server of
    the same application, waits and takes over when the first ends). ``passes`` and
    ``frames`` count its work."""

    def __init__(self) -> None:
        self._due: dict[Feed, None] = {}
        self._unrested: set[Feed] = set()
        """Compressed feeds that have not rested since their last frame."""
        self._next_sweep = float("inf")
        self._wake = trio.Event()
        self._running = trio.Lock()
        self.passes = 0
        self.frames = 0

    def attach(
        self,
        socket: ClockedSocket,
        outbox: Outbox,
        relay: trio.CancelScope,
        nursery: trio.Nursery,
        is_current: Callable[[], bool],
    ) -> Feed:
        """Write ``outbox``'s frames to ``socket`` from now on, until :meth:`detach`."""
        feed = Feed(socket, outbox, relay, nursery, is_current, trio.current_time())
        outbox.on_ready = lambda: self._mark(feed)
        self._unrest(feed)
        self._mark(feed)  # what waited before the socket came (a replay, a render)
        self._wake.set()  # the clock's wait may need to end sooner (rule 5)
        return feed

    def detach(self, feed: Feed) -> None:
        """Stop writing ``feed`` (its connection ends)."""
        feed.detached = True
        if feed.outbox.on_ready is not None:
            feed.outbox.on_ready = None
        self._unrested.discard(feed)
        self._due.pop(feed, None)

    def _mark(self, feed: Feed) -> None:
        if not feed.finishing and not feed.detached:
            self._due[feed] = None
            self._wake.set()

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Write due sockets, one pass per wake-up, until cancelled."""
        task_status.started()
        async with self._running:
            await self._loop()

    async def _loop(self) -> None:
        while True:
            if not self._due:
                self._wake = trio.Event()
                with trio.move_on_at(self._next_sweep):
                    await self._wake.wait()
            else:
                await trio.lowlevel.checkpoint()
            now = trio.current_time()
            if now >= self._next_sweep:
                self._rest_quiet(now)
            if self._due:
                self.write_due(now)

    def write_due(self, now: float) -> None:
        """One pass: every due socket's waiting frames, taken and written in order."""
        due, self._due = self._due, {}
        self.passes += 1
        for feed in due:
            self._write(feed, now)

    def _write(self, feed: Feed, now: float) -> None:
        if feed.detached or feed.finishing or not feed.is_current():
            return
        while True:
            try:
                frame = feed.outbox.take()
            except ClientTooSlow:
                return  # the backlog watcher closes the socket with the reason
            except trio.EndOfChannel:
                feed.relay.cancel()
                return
            if frame is None:
                return
            try:
                rest = feed.socket.send_now(frame)
            except SocketClosed:
                feed.relay.cancel()
                return
            self.frames += 1
            feed.last_sent = now
            if feed.rested:
                self._unrest(feed)
            if rest:
                feed.finishing = True
                feed.nursery.start_soon(self._finish, feed, rest)
                return
            feed.outbox.wrote()  # kept until the page acks it, whatever happens next

    async def _finish(self, feed: Feed, rest: bytes) -> None:
        try:
            await feed.socket.finish_send(rest)
        except SocketClosed:
            feed.relay.cancel()
            return
        feed.outbox.wrote()
        feed.last_sent = trio.current_time()
        feed.finishing = False
        if feed.rested:
            self._unrest(feed)
        if len(feed.outbox) or feed.outbox.overflowed_now:
            self._mark(feed)

    def _unrest(self, feed: Feed) -> None:
        """``feed`` sent a frame (or just came): it rests after ``rest_after`` more."""
        feed.rested = False
        after = feed.socket.rest_after
        if after is None or feed.detached:
            return
        self._unrested.add(feed)
        self._next_sweep = min(self._next_sweep, feed.last_sent + after)

    def _rest_quiet(self, now: float) -> None:
        """Rest every compressed socket quiet for ``rest_after``; the next sweep is at
        the earliest moment another one will have been (one walk of the unrested)."""
        soonest = float("inf")
        for feed in list(self._unrested):
            after = feed.socket.rest_after
            assert after is not None
            if feed.finishing:
                soonest = min(soonest, now + after)
            elif now - feed.last_sent >= after:
                feed.socket.rest()
                feed.rested = True
                self._unrested.discard(feed)
            else:
                soonest = min(soonest, feed.last_sent + after)
        self._next_sweep = soonest
