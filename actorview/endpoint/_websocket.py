"""The server side of a live socket on wsproto, read in the connection's own task, with
every close bounded in time.

trio-websocket's ``WebSocketConnection`` is right about frames but reads in a task of its
own and leaves things open that a server facing the internet must close.
:class:`ServerWebSocket` keeps its frames (wsproto's) and its errors
(``trio_websocket.ConnectionClosed`` with a ``CloseReason`` from its sends; reads raise
the core's ``SocketClosed``), and differs where it matters:

1. **No reader task.** :meth:`ServerWebSocket.get_message` reads the TCP stream itself
   (receive, feed wsproto, answer pings and closes) in the caller's task, and
   :meth:`~ServerWebSocket.aclose` reads too while it waits for the peer's close frame.
   One task may read at a time (``_reading``): a close started in another task while the
   connection's task reads waits for that read to end (or to see the peer's close), and
   reads itself only once no one else does. A live socket that waits for a frame holds
   the connection's task and nothing more: no task, nursery or hand-off of its own
   (about 5 KB a socket, docs/PERFORMANCE.md). Messages wait only between one read and
   the next ``get_message`` (those of one ``receive_some``, at most ``RECEIVE_BYTES``).
2. A close waits for the peer's close frame at most ``close_timeout`` seconds, then
   drops the TCP connection (trio-websocket waits with no bound).
3. A protocol violation (an unmasked frame, RSV bits, an unknown opcode, a bad close code;
   invalid UTF-8 in a text message) gets the close frame RFC 6455 asks for: 1002
   (protocol error) or 1007 (invalid payload data), with wsproto's reason, before the
   connection is closed. A message past ``max_message_size`` (an inflate bomb too: the
   inflater stops at the bound) gets 1009.
4. WebSocket pings are answered, each taking a token from the client's frame budget
   first, so a ping flood is read no faster than the budget refills.
5. permessage-deflate is accepted when the page offers it, with the memory bounds of
   :class:`BoundedDeflate`.
6. The opening handshake is run on the request head the HTTP layer already read
   (:func:`accept_websocket`): nothing is read for it, and what only the opening needed
   (wsproto's HTTP handshake and its h11 connection) is let go once the socket is open.

Sends (:meth:`~ServerWebSocket.send_now`, :meth:`~ServerWebSocket.finish_send`,
``send_message``, pongs and closes) share one lock, ``_stream_lock``, as trio-websocket's
do; a read never writes except through it. wsproto's state is shared by the reader and
the frame clock's ``send_now``: neither checkpoints while it uses it, so they never
interleave. Relies on wsproto 1.x's ``WSConnection.handshake``/``connection`` and
``Connection._events``; ``tests/endpoint/test_websocket.py`` fails if they change.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import trio
import trio_websocket
import wsproto
import wsproto.utilities
from trio_websocket import CloseReason
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    Ping,
    Request,
    TextMessage,
)
from wsproto.extensions import Extension
from wsproto.frame_protocol import CloseReason as CloseCode

from actorview.endpoint._compression import BoundedDeflate, Compression
from actorview.endpoint._frames import frames_directly, text_frame
from actorview.endpoint._http import read_nowait, send_nowait, socket_of
from actorview.endpoint._limits import TokenBucket
from actorview.endpoint._sockets import SocketClosed

RECEIVE_BYTES = 4096
"""Bytes one read takes from the TCP stream (trio-websocket's default)."""

MAX_CLOSE_REASON = 120
"""Characters of a close reason sent to the peer (the frame allows 123 bytes)."""


class _SpentHandshake:
    """What an open connection's wsproto keeps in place of its HTTP handshake: it has
    no more events (wsproto's ``events`` still asks), and nothing else is read of it
    once ``WSConnection.connection`` is set."""

    def events(self) -> Iterator[Event]:
        return iter(())


_SPENT_HANDSHAKE = _SpentHandshake()


class _EventList(list[Event]):
    """wsproto's queue of received events as a list (``append``, ``popleft``): it holds
    the events of one read, and a deque costs 760 bytes empty."""

    __slots__ = ()

    def popleft(self) -> Event:
        return self.pop(0)


class ServerWebSocket:
    """An open server WebSocket, read by whoever calls :meth:`get_message` (see the
    module): its close is bounded, its protocol errors get a close frame, its pings are
    paced by a :class:`TokenBucket`, and it compresses when the page offered it and
    ``deflate`` was accepted. Made by :func:`accept_websocket`."""

    __slots__ = (
        "_close_reason",
        "_close_timeout",
        "_deflate",
        "_ended",
        "_max_message_size",
        "_message_parts",
        "_message_size",
        "_messages",
        "_pings_budget",
        "_reader_left",
        "_reading",
        "_socket",
        "_stream",
        "_stream_lock",
        "_wsproto",
    )

    def __init__(
        self,
        stream: trio.abc.Stream,
        connection: wsproto.WSConnection,
        *,
        max_message_size: int,
        close_timeout: float,
        pings: TokenBucket,
        deflate: BoundedDeflate | None = None,
    ) -> None:
        self._close_reason: CloseReason | None = None
        """Set once the socket is closed or closing (trio-websocket's meaning): no send
        or read starts after it."""
        self._stream = stream
        self._stream_lock = trio.StrictFIFOLock()
        self._wsproto = connection
        self._max_message_size = max_message_size
        self._close_timeout = close_timeout
        self._pings_budget = pings
        self._deflate = deflate
        self._socket = socket_of(stream)
        """The TCP socket, read directly (``_http.read_nowait``: no stream layers wait
        while the socket waits for the peer), or None: ``stream`` is read (TLS)."""
        self._ended = False
        """The stream is closed or ended: nothing more is read."""
        self._messages: list[str | bytes] = []
        """Messages one read completed that ``get_message`` has not returned yet."""
        self._message_parts: list[str | bytes] | None = None
        """The parts so far of a message sent in several frames (None: none begun)."""
        self._message_size = 0
        """Their length together."""
        self._reading = False
        """A task is reading the stream (in :meth:`get_message` or :meth:`aclose`)."""
        self._reader_left: trio.Event | None = None
        """Made by a close that waits for another task's read to end; set when it ends."""

    # -- the read side -------------------------------------------------------------------

    async def get_message(self) -> str | bytes:
        """The next message, reading the stream in this task until one is complete:
        pings met on the way are answered (each after a token of the frame budget), a
        peer's close is answered and the TCP connection closed.

        Messages the peer sent before its close are still returned; then, and at once
        once this side began closing, raises :class:`SocketClosed` (the live-socket
        core's error, so that ``TrioLiveSocket`` hands this method on unwrapped: one
        coroutine frame less on every idle socket's wait) with the close code: 1006
        for a connection that dropped, 1009 for a message past ``max_message_size``.
        It waits on the peer with no bound of its own: the caller bounds it (the join
        and idle timeouts). Cancelled while it reads, nothing is lost but the events of
        the read it was cancelled in (the connection is ending then). One task reads at
        a time: called while another reads (a close is waiting for the peer), it
        raises :class:`SocketClosed`."""
        while not self._messages:
            if self._close_reason is not None or self._reading:
                reason = self._close_reason
                raise SocketClosed(None if reason is None else reason.code)
            await self._read()
        return self._messages.pop(0)

    async def _read(self) -> None:
        """Read once and handle what came (``_reading`` held for it): at EOF or on a
        broken stream the socket is aborted (1006) unless the close handshake ended."""
        self._reading = True
        try:
            try:
                if self._ended:
                    raise trio.ClosedResourceError
                if self._socket is None:
                    data = bytes(await self._stream.receive_some(RECEIVE_BYTES))
                else:
                    if self._socket.fileno() == -1:  # closed under us (a write timed out)
                        raise trio.ClosedResourceError
                    await trio.lowlevel.wait_readable(self._socket)
                    found = read_nowait(self._socket, RECEIVE_BYTES)
                    if found is None:
                        return  # woken with nothing to read: the caller reads again
                    data = found
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                await self._abort_web_socket()
                return
            if not data:  # TCP closed: abnormal unless the WebSocket closed first
                if self._wsproto.state is not ConnectionState.CLOSED:
                    await self._abort_web_socket()
                return
            if self._wsproto.state is not ConnectionState.CLOSED:
                self._wsproto.receive_data(data)
                for event in self._wsproto.events():
                    await self._handle(event)
        finally:
            self._reading = False
            left, self._reader_left = self._reader_left, None
            if left is not None:
                left.set()

    async def _handle(self, event: Event) -> None:
        """One received event. Only these come once the socket is open (the handshake's
        are spent); a pong is not waited for (no ping is sent) and is dropped."""
        match event:
            case TextMessage() | BytesMessage():
                await self._message_part(event)
            case CloseConnection():
                await self._peer_closed(event)
            case Ping() if self._wsproto.state is ConnectionState.OPEN:
                await self._pings_budget.acquire()
                await self._send_quietly(event.response())
            case _:
                pass  # a pong, or a ping while closing

    async def _message_part(self, event: TextMessage | BytesMessage) -> None:
        """Keep one frame of a message; a finished one waits in ``_messages``. One past
        ``max_message_size`` closes the socket with 1009 (``_close_reason`` set: nothing
        more is read or returned)."""
        if self._wsproto.state is not ConnectionState.OPEN:
            return  # closing: what the peer sent meanwhile is dropped
        data = event.data if isinstance(event.data, str) else bytes(event.data)
        parts = self._message_parts
        if parts is None and event.message_finished:  # one frame: nothing to join
            size = len(data)
        else:
            parts = self._message_parts = [] if parts is None else parts
            parts.append(data)
            size = self._message_size = self._message_size + len(data)
        if size > self._max_message_size:
            self._message_parts, self._message_size = None, 0
            reason = f"Exceeded maximum message size: {self._max_message_size} bytes"
            self._close_reason = CloseReason(CloseCode.MESSAGE_TOO_BIG, reason)
            self._messages.clear()
            await self._send_quietly(CloseConnection(code=CloseCode.MESSAGE_TOO_BIG, reason=reason))
            return
        if not event.message_finished:
            return
        if parts is None:
            self._messages.append(data)
        else:
            self._message_parts, self._message_size = None, 0
            self._messages.append(_joined(parts, binary=isinstance(event, BytesMessage)))

    async def _peer_closed(self, event: CloseConnection) -> None:
        """The peer's close frame (or the reply to ours), or a frame wsproto could not
        parse, which it reports as a close while the connection is still OPEN (a close
        frame from the peer moves it to REMOTE_CLOSING first): answered with the code
        and reason ourselves. Then the TCP connection is closed (RFC 6455: a server
        closes it first)."""
        state = self._wsproto.state
        self._close_reason = CloseReason(event.code, event.reason or None)
        if state is ConnectionState.OPEN:
            reason = (event.reason or "")[:MAX_CLOSE_REASON] or None
            await self._send_quietly(CloseConnection(code=event.code, reason=reason))
        elif state is ConnectionState.REMOTE_CLOSING:
            await self._send_quietly(event.response())
        await self._close_stream()

    async def _send_quietly(self, event: Event) -> None:
        """Send a reply the reader makes (a pong, a close); a connection gone meanwhile
        is already marked closed (``_abort_web_socket``), which is all it needs."""
        with contextlib.suppress(trio_websocket.ConnectionClosed):
            await self._send(event)

    # -- closing ---------------------------------------------------------------------------

    async def aclose(self, code: int = 1000, reason: str | None = None) -> None:
        """Send a close frame and wait for the peer's, at most ``close_timeout`` seconds;
        then (or at once, if the peer answered) the TCP connection is closed. Messages
        not yet returned are dropped.

        While another task reads (``get_message``), the wait is for that read to see
        the peer's close or to end; otherwise this task reads. Idempotent, like
        trio-websocket's: once the socket is closed or closing it returns at once.
        Cancellation closes the TCP connection too (and is raised)."""
        if self._close_reason is not None:
            return
        try:
            with trio.move_on_after(self._close_timeout):
                if self._wsproto.state is ConnectionState.OPEN:
                    self._close_reason = CloseReason(code, reason)
                    self._messages.clear()
                    await self._send(CloseConnection(code=code, reason=reason))
                await self._closing_handshake()
        except trio_websocket.ConnectionClosed:
            pass  # the stream broke under the close frame
        finally:
            await self._close_stream()

    async def _closing_handshake(self) -> None:
        """Read until the peer's close frame came or the stream ended, taking turns with
        another task's read (``_reader_left``)."""
        while self._wsproto.state is not ConnectionState.CLOSED:
            if self._reading:
                left = self._reader_left = self._reader_left or trio.Event()
                await left.wait()
            elif self._ended:
                return
            else:
                await self._read()

    async def _abort_web_socket(self) -> None:
        """The stream broke or ended under the socket: no close handshake is possible;
        the socket is marked closed (1006, unless a close began first) and not read
        again."""
        if self._wsproto.state is ConnectionState.OPEN:
            self._wsproto.send(CloseConnection(code=CloseCode.ABNORMAL_CLOSURE))
        if self._close_reason is None:
            self._close_reason = CloseReason(CloseCode.ABNORMAL_CLOSURE, None)
        self._ended = True

    async def _close_stream(self) -> None:
        """Close the TCP connection (a read waiting in another task wakes with
        ``ClosedResourceError``); idempotent."""
        self._ended = True
        with contextlib.suppress(trio.BrokenResourceError):  # the connection is dead already
            await self._stream.aclose()

    # -- the send side ---------------------------------------------------------------------

    @property
    def compressed(self) -> bool:
        """Whether frames on this socket are compressed (the page offered it)."""
        return self._deflate is not None and self._deflate.enabled()

    def rest(self) -> None:
        """Let go of the compressor while the socket is quiet (the next frame makes a
        fresh one): the caller knows no message is being sent."""
        if self._deflate is not None:
            self._deflate.rest()

    async def send_message(self, message: str | bytes) -> None:
        """Send one message, in turn with the other sends; raises
        ``trio_websocket.ConnectionClosed`` once the socket is closed or being closed."""
        if self._close_reason:
            raise trio_websocket.ConnectionClosed(self._close_reason)
        event: Event = (
            TextMessage(data=message) if isinstance(message, str) else BytesMessage(data=message)
        )
        await self._send(event)

    def send_now(self, message: str) -> bytes:
        """Frame ``message`` and write as much of it as the socket takes at once, without
        waiting; returns what is left of the frame (``b""``: all of it went). What is left
        must go out with :meth:`finish_send` before anything else is sent with this method.

        While another send holds the connection's lock (a pong, a close, a
        :meth:`finish_send`), nothing is written: the whole frame is returned. Raises
        ``trio_websocket.ConnectionClosed`` once the socket is closed or being closed, and
        ``trio.BrokenResourceError`` if the connection is gone (or an earlier write timed
        out). Never blocks and never checkpoints: the frame clock calls it for each socket
        in one pass."""
        if self._close_reason:
            raise trio_websocket.ConnectionClosed(self._close_reason)
        data = self._frame(message)
        if self._stream_lock.locked():
            return data
        sent = send_nowait(self._stream, data)
        return data[sent:]

    def _frame(self, message: str) -> bytes:
        """``message`` framed as wsproto would frame it: directly when nothing
        transforms it (``_frames.py``: no deflate, the connection open), else by wsproto
        (a compressed socket, or a state in which wsproto raises what it raises)."""
        if frames_directly(self._wsproto):
            return text_frame(message)
        return self._wsproto.send(TextMessage(data=message))

    async def finish_send(self, data: bytes) -> None:
        """Send the rest of a frame :meth:`send_now` began, in turn with the connection's
        other sends (its lock), within the stream's write bound; raises
        ``trio_websocket.ConnectionClosed`` if the connection went away meanwhile."""
        async with self._stream_lock:
            try:
                await self._stream.send_all(data)
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                await self._abort_web_socket()
                raise trio_websocket.ConnectionClosed(self._close_reason) from None

    async def _send(self, event: Event) -> None:
        """Frame ``event`` and write it under the send lock (frames go out in the order
        they were framed, which a compressor's context needs); a broken stream aborts
        the socket and raises ``trio_websocket.ConnectionClosed``."""
        data = self._wsproto.send(event)
        async with self._stream_lock:
            try:
                await self._stream.send_all(data)
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                await self._abort_web_socket()
                raise trio_websocket.ConnectionClosed(self._close_reason) from None


def _joined(parts: list[str | bytes], *, binary: bool) -> str | bytes:
    """A message sent in several frames, whole (its parts are all ``bytes`` or all
    ``str``, as its first frame's opcode said)."""
    if binary:
        return b"".join(part for part in parts if isinstance(part, bytes))
    return "".join(part for part in parts if isinstance(part, str))


async def accept_websocket(
    stream: trio.abc.Stream,
    head: bytes,
    *,
    max_message_size: int,
    close_timeout: float,
    pings: TokenBucket,
    compression: Compression | None = None,
) -> ServerWebSocket | None:
    """Run the WebSocket opening handshake on ``head`` (the bytes the HTTP layer read:
    the upgrade request, and whatever the page sent after it) and accept it on
    ``stream``, offering permessage-deflate within ``compression``'s bounds.

    Returns None if wsproto refuses the request (it is answered 400, within the
    stream's write bound; the caller closes the stream). Nothing is read here; the one
    write (the 101 answer) is bounded by the stream (``BoundedStream``). Raises
    ``trio.BrokenResourceError`` or ``trio.ClosedResourceError`` if the peer went away."""
    connection = wsproto.WSConnection(wsproto.ConnectionType.SERVER)
    try:
        connection.receive_data(head)
    except wsproto.utilities.RemoteProtocolError as error:
        if error.event_hint is not None:
            await stream.send_all(connection.send(error.event_hint))
        return None
    request = next((e for e in connection.events() if isinstance(e, Request)), None)
    if request is None:  # a head h11 took as incomplete: not an upgrade we serve
        return None
    deflate = (
        None
        if compression is None
        else BoundedDeflate(compression, max_message_size=max_message_size)
    )
    # wsproto keeps the extensions the request offered among those passed here.
    extensions: list[Extension] = [] if deflate is None else [deflate]
    await stream.send_all(connection.send(AcceptConnection(extensions=extensions)))
    # Open: what only the opening needed is let go (point 6 above).
    connection.handshake = _SPENT_HANDSHAKE  # type: ignore[assignment]
    if connection.connection is not None:
        events = connection.connection._events
        connection.connection._events = _EventList(events)  # type: ignore[assignment]
    return ServerWebSocket(
        stream,
        connection,
        max_message_size=max_message_size,
        close_timeout=close_timeout,
        pings=pings,
        deflate=deflate,
    )
