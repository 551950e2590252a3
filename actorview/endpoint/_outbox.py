"""The outbox: a bounded, merging queue of frames from one view to one socket.

The view must never wait for a slow browser, and the server must never buffer without
bound for one. So the view pushes without blocking, and frames that wait are merged:
consecutive patch frames become one frame (and consecutive text appends to the same node
become one append), so a client that falls behind receives fewer, larger frames holding
the same changes. If what waits still grows past ``max_bytes``, the outbox gives up on
the client at once: it drops what waits (so memory stays bounded even while the writer
is stuck on a full socket), sets :attr:`Outbox.overflowed`, and :meth:`Outbox.next`
raises :class:`ClientTooSlow`; the connection closes with that reason, and the rejoin
that follows starts the view afresh (a full render).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import trio

from actorview.endpoint._errors import EndpointError
from actorview.render._wire import encode_json as _encode
from actorview.render._wire import merge_ops as _merge

Ops = list[list[Any]]


class ClientTooSlow(EndpointError):
    """The browser read so slowly that its pending changes passed the outbox's limit."""


class Outbox:
    """Frames waiting to be written to one socket.

    ``push_patches`` and ``push_control`` are sync and never block (the view calls them);
    ``next`` is awaited by the connection's writer task.
    """

    # Lists, not deques, and events made when first waited for: an outbox is kept per
    # session for the session's life, and an idle one holds one frame (its render) at
    # most, where a deque costs 760 bytes empty and an event 300.

    def __init__(self, *, max_bytes: int = 1 << 20) -> None:
        self.max_bytes = max_bytes
        self._items: list[Ops | str] = []
        """Waiting frames, oldest first (taken with ``pop(0)``: the writers keep it at one
        or two, and what waits long is merged)."""
        self._pending_bytes = 0
        self._wakeup: trio.Event | None = None
        self._closed = False
        self.frames_merged = 0
        self.overflowed_now = False
        """True once the backlog passed ``max_bytes``; what waited was dropped."""
        self._overflowed: trio.Event | None = None
        self._overflow_reason = ""
        self.taken = 0
        """The number of the last frame :meth:`next` handed out (frames count from 1)."""
        self.written = 0
        """The number of the last frame the writer got onto a socket (:meth:`wrote`)."""
        self._unacked: list[str] = []
        """Frames ``taken - kept + 1 .. taken`` from ``_unacked_head`` on: taken but not
        acknowledged by the page (acknowledged ones are cut off in bulk, amortised)."""
        self._unacked_head = 0
        self._unacked_bytes = 0
        self.on_ready: Callable[[], None] | None = None
        """Told, besides the waiting :meth:`next`, whenever a frame is queued or the
        outbox closes: the frame clock (``endpoint/_clock.py``) sets it while it writes
        this outbox's frames, and then takes them with :meth:`take`."""
        self.on_overflow: Callable[[], None] | None = None
        """Told once when the backlog passes ``max_bytes`` (sync; the connection sets it
        while a socket serves the outbox, and closes that socket with 4008)."""

    @property
    def overflowed(self) -> trio.Event:
        """Set when the backlog passed ``max_bytes`` (:attr:`overflowed_now`), to wait for;
        made on first use."""
        if self._overflowed is None:
            self._overflowed = trio.Event()
            if self.overflowed_now:
                self._overflowed.set()
        return self._overflowed

    def _ready(self) -> None:
        if self._wakeup is not None:
            self._wakeup.set()
        if self.on_ready is not None:
            self.on_ready()

    def push_patches(self, ops: Ops) -> None:
        """Queue the wire ops of one render; merged with a patch frame already waiting."""
        if not ops or self._closed:
            return
        if self._items and isinstance(self._items[-1], list):
            _merge(self._items[-1], ops)
            self.frames_merged += 1
        else:
            self._items.append(list(ops))
        self._pending_bytes += _estimate(ops)
        self._check_limit()
        self._ready()

    def push_control(self, frame: str) -> None:
        """Queue an encoded control frame; it keeps its place among the patch frames."""
        if self._closed:
            return
        self._items.append(frame)
        self._pending_bytes += len(frame)
        self._check_limit()
        self._ready()

    def push_render(self, frame: str) -> None:
        """Replace everything waiting by a whole render of the page.

        The render is not counted against ``max_bytes``: its size is the page's (which the
        application decides), not a backlog, and it makes everything before it moot.
        """
        if self._closed:
            return
        self.clear()
        self._items.append(_Render(frame))
        self._ready()

    def wrote(self) -> None:
        """The writer got the last frame taken onto its socket."""
        self.written = self.taken

    def ack(self, seen: int) -> None:
        """The page has frames up to number ``seen``: forget them. A number past what was
        taken (a page counting another outbox's frames) is ignored."""
        if seen > self.taken:
            return
        first = self.taken - self._kept() + 1
        self._forget(seen - first + 1)

    def resume(self, seen: int | None) -> bool:
        """A page that has frames up to number ``seen`` rejoined: queue the frames after it
        again, first in line, in order. ``None`` (a page that does not count) means what
        the writer got onto a socket. Returns False when the outbox no longer has them all
        (or never sent that many): the page needs a fresh render."""
        if seen is None:
            seen = self.written
        first = self.taken - self._kept() + 1
        if not first - 1 <= seen <= self.taken:
            return False
        again = self.taken - seen
        if again:
            frames = self._unacked[len(self._unacked) - again :]
            del self._unacked[len(self._unacked) - again :]
            for frame in frames:
                self._unacked_bytes -= len(frame)
                if not isinstance(frame, _Render):
                    self._pending_bytes += len(frame)
            self._items[:0] = frames
        self.taken = self.written = seen
        if self._items:
            self._ready()
        return True

    def _kept(self) -> int:
        return len(self._unacked) - self._unacked_head

    def _forget(self, count: int) -> None:
        """Forget the ``count`` oldest kept frames (cut off the list once they are half
        of it, so each frame costs O(1))."""
        if count <= 0:
            return
        head = self._unacked_head
        for frame in self._unacked[head : head + count]:
            self._unacked_bytes -= len(frame)
        head += count
        if head * 2 >= len(self._unacked):
            del self._unacked[:head]
            head = 0
        self._unacked_head = head

    def clear(self) -> None:
        """Forget what waits (a fresh render is about to replace it all)."""
        self._items.clear()
        self._pending_bytes = 0

    def close(self) -> None:
        self._closed = True
        self._ready()

    def __len__(self) -> int:
        return len(self._items)

    @property
    def pending_bytes(self) -> int:
        """An estimate of the bytes waiting."""
        return self._pending_bytes

    @property
    def kept_bytes(self) -> int:
        """The bytes of the frames kept until the page acknowledges them."""
        return self._unacked_bytes

    def _check_limit(self) -> None:
        if self._pending_bytes <= self.max_bytes:
            return
        self._overflow_reason = (
            f"the browser fell {self._pending_bytes} bytes behind (limit {self.max_bytes})"
        )
        self.clear()
        self._closed = True
        self.overflowed_now = True
        if self._overflowed is not None:
            self._overflowed.set()
        if self.on_overflow is not None:
            self.on_overflow()

    async def next(self) -> str:
        """The next encoded frame, waiting for one. Raises :class:`ClientTooSlow` when the
        backlog passed ``max_bytes``, and ``trio.EndOfChannel`` once closed and empty."""
        # A writer whose socket was just replaced must not take a frame it cannot send:
        # the new socket's numbering starts from what was taken.
        await trio.lowlevel.checkpoint_if_cancelled()
        while (frame := self.take()) is None:
            self._wakeup = trio.Event()
            try:
                await self._wakeup.wait()
            finally:
                self._wakeup = None
        return frame

    def take(self) -> str | None:
        """The next encoded frame, numbered and kept as :meth:`next` does, or None if none
        waits (sync: the frame clock's way in). Raises as :meth:`next` does."""
        if not self._items:
            if self.overflowed_now:
                raise ClientTooSlow(self._overflow_reason)
            if self._closed:
                raise trio.EndOfChannel
            return None
        item = self._items.pop(0)
        if isinstance(item, str):
            if not isinstance(item, _Render):
                self._pending_bytes -= len(item)
            frame = item
        else:
            frame = _encode(item)
            self._pending_bytes = max(0, self._pending_bytes - len(frame)) if self._items else 0
        self._keep(frame)
        return str(frame)

    def _keep(self, frame: str) -> None:
        """Number ``frame`` and keep it until acknowledged, forgetting the oldest past
        ``max_bytes`` (a rejoin that needs those gets a fresh view)."""
        self.taken += 1
        self._unacked.append(frame)
        self._unacked_bytes += len(frame)
        over = self._unacked_bytes - self.max_bytes
        count = 0
        while over > 0 and self._kept() - count > 1:
            over -= len(self._unacked[self._unacked_head + count])
            count += 1
        if count:
            self._forget(count)


class _Render(str):
    """A render frame in the queue: not part of the backlog the limit counts."""


def _estimate(ops: Ops) -> int:
    """About the encoded size of ``ops`` (their JSON: each string's length and quotes, a
    few bytes per number and separator), without formatting them: this runs on every
    render's ops, the streamed token's included, and only the backlog limit reads it
    (a frame taken subtracts its real length). Strings are counted as written unescaped
    (a quote or a control character takes more in JSON; CJK text, counted in characters,
    less in bytes), so it is an estimate, as the limit it serves is."""
    return _size(ops)


def _size(items: list[Any]) -> int:
    size = 2  # the brackets
    for item in items:
        kind = type(item)
        if kind is str:
            size += len(item) + 3  # quotes and a comma
        elif kind is list:
            size += _size(item) + 1
        elif kind is int:
            size += 4  # a path step or an index of up to three digits, and its comma
        else:
            size += 6  # false, true, null
    return size
